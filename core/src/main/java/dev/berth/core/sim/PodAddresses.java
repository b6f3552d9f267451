package dev.berth.core.sim;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * The pod addresses of one node, handed out in order from its podCIDR as a bridge plugin would:
 * the network address and the first host (the bridge's gateway) are never given out, the others
 * come in sequence and wrap around past released ones. Thread-safe.
 */
final class PodAddresses {
    private final String cidr;
    private final long network;
    private final int size;
    private final BitSet used = new BitSet();
    private final Map<String, Integer> byPod = new HashMap<>();
    private int next = 2;

    PodAddresses(String cidr) {
        this.cidr = cidr;
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("podCIDR \"" + cidr + "\" must be an IPv4 CIDR like 10.42.0.0/24");
        }
        int prefix = Integer.parseInt(cidr.substring(slash + 1));
        if (prefix < 8 || prefix > 30) {
            throw new IllegalArgumentException("podCIDR \"" + cidr + "\" must have a prefix length between 8 and 30");
        }
        this.network = toLong(cidr.substring(0, slash)) & (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        this.size = 1 << (32 - prefix);
    }

    String cidr() {
        return cidr;
    }

    /** The address of {@code podKey}, given out now unless it has one; null when the range is full. */
    synchronized String allocate(String podKey) {
        Integer have = byPod.get(podKey);
        if (have != null) {
            return toAddress(network + have);
        }
        int last = size - 2; // broadcast excluded
        for (int tried = 0; tried < size; tried++) {
            int candidate = next;
            next = next >= last ? 2 : next + 1;
            if (!used.get(candidate)) {
                used.set(candidate);
                byPod.put(podKey, candidate);
                return toAddress(network + candidate);
            }
            if (next == candidate) {
                break;
            }
        }
        return null;
    }

    /** Records an address a pod already carries (after a restart of the simulator); false when outside the range or taken. */
    synchronized boolean adopt(String podKey, String address) {
        long a;
        try {
            a = toLong(address);
        } catch (RuntimeException e) {
            return false;
        }
        long offset = a - network;
        if (offset < 2 || offset >= size - 1) {
            return false;
        }
        Integer have = byPod.get(podKey);
        if (have != null) {
            return have == offset;
        }
        if (used.get((int) offset)) {
            return false;
        }
        used.set((int) offset);
        byPod.put(podKey, (int) offset);
        return true;
    }

    synchronized void release(String podKey) {
        Integer offset = byPod.remove(podKey);
        if (offset != null) {
            used.clear(offset);
        }
    }

    synchronized int allocated() {
        return byPod.size();
    }

    static long toLong(String ip) {
        String[] p = ip.split("\\.");
        if (p.length != 4) {
            throw new IllegalArgumentException("\"" + ip + "\" is not an IPv4 address");
        }
        long v = 0;
        for (String s : p) {
            int b = Integer.parseInt(s);
            if (b < 0 || b > 255) {
                throw new IllegalArgumentException("\"" + ip + "\" is not an IPv4 address");
            }
            v = v << 8 | b;
        }
        return v;
    }

    static String toAddress(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }
}
