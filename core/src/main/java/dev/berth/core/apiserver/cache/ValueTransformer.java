package dev.berth.core.apiserver.cache;

/** Turns stored bytes into object JSON and back: encryption at rest sits here. */
public interface ValueTransformer {
    ValueTransformer IDENTITY = new ValueTransformer() {
        @Override
        public byte[] fromStorage(String key, byte[] stored) {
            return stored;
        }

        @Override
        public byte[] toStorage(String key, byte[] json) {
            return json;
        }
    };

    byte[] fromStorage(String key, byte[] stored);

    byte[] toStorage(String key, byte[] json);
}
