package dev.berth.core.controller.nodeipam;

import java.util.BitSet;

/**
 * The /N subnets of an IPv4 cluster CIDR, handed out in order (the next search starts after the
 * last one given, as Kubernetes' cidrset does). Not thread-safe: the reconciler runs one worker.
 */
final class CidrSet {
    /** At most this many subnets: 10.0.0.0/8 in /24s. */
    static final int MAX_SUBNETS = 1 << 16;

    private final long base;
    private final int subnetPrefix;
    private final int count;
    private final BitSet used;
    private int next;

    CidrSet(String clusterCidr, int subnetPrefix) {
        int slash = clusterCidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("cluster CIDR \"" + clusterCidr + "\" must be an IPv4 CIDR like 10.42.0.0/16");
        }
        long address;
        int prefix;
        try {
            address = toLong(clusterCidr.substring(0, slash));
            prefix = Integer.parseInt(clusterCidr.substring(slash + 1));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cluster CIDR \"" + clusterCidr + "\" must be an IPv4 CIDR like 10.42.0.0/16");
        }
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("cluster CIDR \"" + clusterCidr + "\": prefix length must be 0 to 32");
        }
        if (subnetPrefix < prefix || subnetPrefix > 30) {
            throw new IllegalArgumentException("node CIDR mask size " + subnetPrefix + " must be between the cluster CIDR's prefix length "
                    + prefix + " and 30");
        }
        if (subnetPrefix - prefix > 16) {
            throw new IllegalArgumentException("node CIDR mask size " + subnetPrefix + " gives more than " + MAX_SUBNETS
                    + " subnets of cluster CIDR " + clusterCidr + ": the difference of prefix lengths must be at most 16");
        }
        long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        if ((address & mask) != address) {
            throw new IllegalArgumentException("cluster CIDR \"" + clusterCidr + "\" has host bits set: the network is "
                    + toAddress(address & mask) + "/" + prefix);
        }
        this.base = address;
        this.subnetPrefix = subnetPrefix;
        this.count = 1 << (subnetPrefix - prefix);
        this.used = new BitSet(count);
    }

    int size() {
        return count;
    }

    int allocatedCount() {
        return used.cardinality();
    }

    /** The next free subnet's index, marked used, or -1 when every subnet is taken. */
    int allocate() {
        int i = used.nextClearBit(next);
        if (i >= count) {
            i = used.nextClearBit(0);
            if (i >= count) {
                return -1;
            }
        }
        used.set(i);
        next = i + 1 >= count ? 0 : i + 1;
        return i;
    }

    /** Marks the subnet written as {@code cidr} used; its index, or -1 when it is not one of this set's. */
    int occupy(String cidr) {
        int i = indexOf(cidr);
        if (i >= 0) {
            used.set(i);
        }
        return i;
    }

    void release(int index) {
        used.clear(index);
    }

    String cidr(int index) {
        return toAddress(base + ((long) index << (32 - subnetPrefix))) + "/" + subnetPrefix;
    }

    int indexOf(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            return -1;
        }
        try {
            if (Integer.parseInt(cidr.substring(slash + 1)) != subnetPrefix) {
                return -1;
            }
            long a = toLong(cidr.substring(0, slash));
            long offset = a - base;
            long step = 1L << (32 - subnetPrefix);
            if (offset < 0 || offset % step != 0 || offset / step >= count) {
                return -1;
            }
            return (int) (offset / step);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    static long toLong(String ip) {
        String[] p = ip.split("\\.", -1);
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
