package dev.berth.app.metrics;

import java.util.ArrayList;
import java.util.List;

/** The last {@code capacity} items added, oldest first; adding to a full buffer drops the oldest. Not thread-safe. */
public final class RingBuffer<T> {
    private final Object[] items;
    private int start;
    private int size;

    public RingBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: must be at least 1, was " + capacity);
        }
        this.items = new Object[capacity];
    }

    public void add(T item) {
        items[(start + size) % items.length] = item;
        if (size < items.length) {
            size++;
        } else {
            start = (start + 1) % items.length;
        }
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return items.length;
    }

    @SuppressWarnings("unchecked")
    public List<T> toList() {
        List<T> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add((T) items[(start + i) % items.length]);
        }
        return out;
    }
}
