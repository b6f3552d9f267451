package dev.berth.core.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The one JSON configuration every part of Berth uses for Kubernetes objects. */
public final class Json {
    /** Nesting deeper than this is refused: no Kubernetes object comes close. */
    public static final int MAX_NESTING = 200;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING)
                    .maxStringLength(8 * 1024 * 1024)
                    .maxNumberLength(1000)
                    .build())
            .build();

    public static final ObjectMapper MAPPER = JsonMapper.builder(FACTORY)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            // MicroTime fields (Lease acquireTime/renewTime, Event eventTime) are java.time in fabric8's model
            .addModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .build();

    /** For request bodies: one JSON value and nothing after it. */
    public static final com.fasterxml.jackson.databind.ObjectReader STRICT_READER =
            MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory());

    private Json() {}

    public static JsonNode parse(byte[] bytes) {
        try {
            return MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A streaming parser with the same limits as {@link #parse}, for reading a few fields without a tree. */
    public static com.fasterxml.jackson.core.JsonParser parser(byte[] bytes) throws IOException {
        return FACTORY.createParser(bytes);
    }

    public static ObjectNode parseObject(byte[] bytes) {
        JsonNode n = parse(bytes);
        if (!(n instanceof ObjectNode o)) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        return o;
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String string(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T convert(JsonNode node, Class<T> type) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }
}
