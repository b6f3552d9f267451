package dev.berth.core.controller.nodeipam;

/**
 * @param clusterCidr      the pod address range split among nodes ({@code --cluster-cidr})
 * @param nodeCidrMaskSize the prefix length of each node's share ({@code --node-cidr-mask-size})
 */
public record NodeIpamOptions(String clusterCidr, int nodeCidrMaskSize) {
    public static final String DEFAULT_CLUSTER_CIDR = "10.42.0.0/16";
    public static final int DEFAULT_NODE_CIDR_MASK_SIZE = 24;

    public NodeIpamOptions {
        new CidrSet(clusterCidr, nodeCidrMaskSize); // validates, with errors naming the value and the rule
    }

    public static NodeIpamOptions defaults() {
        return new NodeIpamOptions(DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_CIDR_MASK_SIZE);
    }
}
