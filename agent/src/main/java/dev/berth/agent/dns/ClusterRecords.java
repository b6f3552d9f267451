package dev.berth.agent.dns;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The records of the cluster domain, as the Kubernetes DNS-Based Service Discovery specification
 * (schema 1.1.0) defines them, computed per question from a {@link ClusterView}:
 * <ul>
 * <li>{@code <svc>.<ns>.svc.<zone>} A: the cluster IP; for a headless Service the addresses of its
 *     ready endpoints (all of them with {@code publishNotReadyAddresses}); CNAME to
 *     {@code spec.externalName} for an ExternalName Service;</li>
 * <li>{@code <hostname>.<svc>.<ns>.svc.<zone>} A for the endpoints of a headless Service, the
 *     hostname being the endpoint's {@code hostname} (a StatefulSet pod whose subdomain is the
 *     Service) or else its address with dashes ({@code 10-42-0-7});</li>
 * <li>{@code _<port>._<proto>.<svc>.<ns>.svc.<zone>} SRV for each named port: one record pointing
 *     at the Service name, or for a headless Service one per ready endpoint pointing at its
 *     hostname, the targets' addresses in the additional section;</li>
 * <li>{@code <a-b-c-d>.<ns>.pod.<zone>} A for a pod of that namespace with that IP;</li>
 * <li>PTR for cluster IPs, headless endpoints and pod IPs; {@code dns-version.<zone>} TXT; the
 *     zone's SOA and NS.</li>
 * </ul>
 * A name that exists with other types answers NOERROR with no records (no data), and only a name
 * that does not exist, not even as a parent of others, answers NXDOMAIN; both negative answers
 * carry the zone's SOA. Every record lives {@link #TTL} seconds. Reverse names of addresses outside
 * the service and cluster ranges that no object holds are not answered here ({@code null}): the
 * server forwards them.
 */
public final class ClusterRecords {
    /** Seconds every cluster record, and a negative answer, may be cached. */
    public static final long TTL = 5;
    /** The version of the specification these records follow ({@code dns-version.<zone>} TXT). */
    public static final String SCHEMA_VERSION = "1.1.0";
    static final Name IN_ADDR_ARPA = Name.fromConstantString("in-addr.arpa.");
    private static final int MAX_CHAIN = 8;

    private final ClusterView view;
    private final Name zone;
    private final InetAddress dnsAddress;
    private final List<Ipv4Range> reverseRanges;
    private final long serial;

    /**
     * @param view          the cluster's objects
     * @param domain        the cluster domain, e.g. {@code cluster.local}
     * @param dnsAddress    the cluster DNS Service's address ({@code ns.dns.<zone>})
     * @param reverseCidrs  IPv4 ranges whose reverse names are ours: the service and cluster CIDRs
     * @param serial        the SOA serial
     */
    public ClusterRecords(ClusterView view, String domain, InetAddress dnsAddress, List<String> reverseCidrs, long serial) {
        this.view = Objects.requireNonNull(view, "view");
        try {
            this.zone = Name.fromString(domain.toLowerCase(Locale.ROOT), Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("cluster domain \"" + domain + "\" is not a DNS name: " + e.getMessage());
        }
        this.dnsAddress = Objects.requireNonNull(dnsAddress, "dnsAddress");
        this.reverseRanges = reverseCidrs.stream().map(Ipv4Range::parse).toList();
        this.serial = serial & 0xffffffffL;
    }

    /** The cluster zone, e.g. {@code cluster.local.}. */
    public Name zone() {
        return zone;
    }

    /** Whether {@code qname} lies in the cluster zone. */
    public boolean inZone(Name qname) {
        return qname.canonicalize().subdomain(zone);
    }

    /**
     * The answer to {@code qname} of {@code qtype} (class IN), or null when the name is not ours:
     * outside the cluster zone, and not the reverse name of an address the cluster knows or
     * manages.
     */
    public Lookup lookup(Name qname, int qtype) {
        return lookup(qname, qtype, 0);
    }

    private Lookup lookup(Name qname, int qtype, int depth) {
        Name lower = qname.canonicalize();
        if (lower.subdomain(zone)) {
            int n = lower.labels() - zone.labels();
            String[] labels = new String[n];
            for (int i = 0; i < n; i++) labels[i] = lower.getLabelString(i);
            Node node = node(qname, labels);
            if (node == null) return negative(Rcode.NXDOMAIN, zoneSoa());
            return answer(qname, qtype, node, depth, zoneSoa());
        }
        if (lower.subdomain(IN_ADDR_ARPA)) return reverse(qname, lower, qtype, depth);
        return null;
    }

    /** The records at one existing name, of every type; additional: the addresses of their targets. */
    private record Node(List<Record> records, List<Record> additional) {
        static final Node EMPTY = new Node(List.of(), List.of());
    }

    private Lookup answer(Name qname, int qtype, Node node, int depth, SOARecord soa) {
        CNAMERecord cname = (CNAMERecord) node.records().stream().filter(r -> r.getType() == Type.CNAME).findFirst()
                .orElse(null);
        if (cname != null && qtype != Type.CNAME && qtype != Type.ANY) {
            Name target = cname.getTarget();
            Lookup next = depth < MAX_CHAIN ? lookup(target, qtype, depth + 1) : null;
            if (next == null) {
                // outside the cluster: the server resolves the target upstream
                return new Lookup(Rcode.NOERROR, List.of(cname), List.of(), List.of(),
                        depth < MAX_CHAIN ? target : null);
            }
            List<Record> answer = new ArrayList<>();
            answer.add(cname);
            answer.addAll(next.answer());
            return new Lookup(next.rcode(), answer, next.authority(), next.additional(), next.externalTarget());
        }
        List<Record> answer = node.records().stream().filter(r -> qtype == Type.ANY || r.getType() == qtype).toList();
        if (answer.isEmpty()) return negative(Rcode.NOERROR, soa);
        boolean withTargets = answer.stream().anyMatch(r -> r.getType() == Type.SRV || r.getType() == Type.NS);
        return new Lookup(Rcode.NOERROR, answer, List.of(), withTargets ? node.additional() : List.of(), null);
    }

    private static Lookup negative(int rcode, SOARecord soa) {
        return new Lookup(rcode, List.of(), List.of(soa), List.of(), null);
    }

    // ---- the cluster zone

    private Node node(Name qname, String[] l) {
        int n = l.length;
        if (n == 0) {
            Name ns = name("ns.dns");
            return new Node(List.of(zoneSoa(), new NSRecord(qname, DClass.IN, TTL, ns)), List.of(address(ns, dnsAddress)));
        }
        return switch (l[n - 1]) {
            case "svc" -> serviceNode(qname, l);
            case "pod" -> podNode(qname, l);
            case "dns-version" -> n == 1 ? new Node(List.of(new TXTRecord(qname, DClass.IN, TTL, SCHEMA_VERSION)), List.of()) : null;
            case "dns" -> n == 1 ? Node.EMPTY : n == 2 && l[0].equals("ns") ? new Node(List.of(address(qname, dnsAddress)), List.of()) : null;
            default -> null;
        };
    }

    private Node serviceNode(Name qname, String[] l) {
        int n = l.length;
        if (n == 1) return Node.EMPTY;
        String namespace = l[n - 2];
        if (n == 2) return view.hasServices(namespace) ? Node.EMPTY : null;
        Service svc = view.service(namespace, l[n - 3]);
        if (svc == null || n > 5) return null;
        if (n == 3) return serviceRecords(qname, svc);
        if (n == 4) {
            return l[0].startsWith("_") ? protocolNode(svc, l[0].substring(1)) : endpointNode(qname, svc, l[0]);
        }
        return l[0].startsWith("_") && l[1].startsWith("_") ? srvNode(qname, svc, l[0].substring(1), l[1].substring(1)) : null;
    }

    private Node serviceRecords(Name qname, Service svc) {
        if (externalName(svc)) {
            Name target = absolute(svc.getSpec().getExternalName());
            return target == null ? Node.EMPTY : new Node(List.of(new CNAMERecord(qname, DClass.IN, TTL, target)), List.of());
        }
        Map<String, Record> records = new LinkedHashMap<>();
        if (headless(svc)) {
            for (EndpointAddress e : readyEndpoints(svc)) {
                records.putIfAbsent(e.address(), address(qname, InetAddress.ofLiteral(e.address())));
            }
        } else {
            for (String ip : IndexedClusterView.clusterIps(svc)) {
                InetAddress a = literal(ip);
                if (a != null) records.putIfAbsent(ip, address(qname, a));
            }
        }
        return new Node(List.copyOf(records.values()), List.of());
    }

    /** {@code _<proto>.<svc>.<ns>.svc.<zone>}: a name only as the parent of the SRV names below it. */
    private Node protocolNode(Service svc, String protocol) {
        if (externalName(svc)) return null;
        return namedPorts(svc).stream().anyMatch(p -> p.protocol().equals(protocol)) ? Node.EMPTY : null;
    }

    private Node endpointNode(Name qname, Service svc, String label) {
        if (!headless(svc)) return null;
        Map<String, Record> records = new LinkedHashMap<>();
        for (EndpointAddress e : readyEndpoints(svc)) {
            if (e.label().equals(label)) records.putIfAbsent(e.address(), address(qname, InetAddress.ofLiteral(e.address())));
        }
        return records.isEmpty() ? null : new Node(List.copyOf(records.values()), List.of());
    }

    private Node srvNode(Name qname, Service svc, String portName, String protocol) {
        if (externalName(svc)) return null;
        if (namedPorts(svc).stream().noneMatch(p -> p.name().equals(portName) && p.protocol().equals(protocol))) {
            return null;
        }
        record Target(Name target, int port, InetAddress address) {
        }
        List<Target> targets = new ArrayList<>();
        if (headless(svc)) {
            Set<String> seen = new LinkedHashSet<>();
            for (EndpointAddress e : readyEndpoints(svc)) {
                for (NamedPort p : e.ports()) {
                    if (p.name().equals(portName) && p.protocol().equals(protocol) && seen.add(e.label() + ":" + p.port())) {
                        targets.add(new Target(name(e.label() + "." + serviceName(svc)), p.port(), InetAddress.ofLiteral(e.address())));
                    }
                }
            }
        } else {
            Name target = name(serviceName(svc));
            for (ServicePort p : svc.getSpec().getPorts()) {
                if (portName.equals(lower(p.getName())) && protocol.equals(protocol(p.getProtocol())) && p.getPort() != null) {
                    for (String ip : IndexedClusterView.clusterIps(svc)) {
                        InetAddress a = literal(ip);
                        if (a != null) targets.add(new Target(target, p.getPort(), a));
                    }
                }
            }
        }
        Map<String, Record> srv = new LinkedHashMap<>();
        Map<String, Record> additional = new LinkedHashMap<>();
        long distinct = targets.stream().map(t -> t.target() + ":" + t.port()).distinct().count();
        int weight = distinct == 0 ? 0 : (int) Math.max(1, 100 / distinct);
        for (Target t : targets) {
            srv.putIfAbsent(t.target() + ":" + t.port(), new SRVRecord(qname, DClass.IN, TTL, 0, weight, t.port(), t.target()));
            additional.putIfAbsent(t.target() + "/" + t.address().getHostAddress(), address(t.target(), t.address()));
        }
        return new Node(List.copyOf(srv.values()), List.copyOf(additional.values()));
    }

    private Node podNode(Name qname, String[] l) {
        int n = l.length;
        if (n == 1) return Node.EMPTY;
        String namespace = l[n - 2];
        if (n == 2) return view.hasPods(namespace) ? Node.EMPTY : null;
        if (n > 3) return null;
        InetAddress ip = fromDashes(l[0]);
        if (ip == null) return null;
        boolean known = view.podsWithIp(ip.getHostAddress()).stream()
                .anyMatch(p -> namespace.equals(p.getMetadata().getNamespace()));
        return known ? new Node(List.of(address(qname, ip)), List.of()) : null;
    }

    // ---- reverse names

    private Lookup reverse(Name qname, Name lower, int qtype, int depth) {
        if (lower.labels() != IN_ADDR_ARPA.labels() + 4) return null;
        InetAddress ip;
        try {
            ip = ReverseMap.fromName(lower);
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
        if (!(ip instanceof Inet4Address)) return null;
        Ipv4Range range = reverseRanges.stream().filter(r -> r.contains(ip)).findFirst().orElse(null);
        List<Record> ptr = new ArrayList<>();
        for (Name target : ptrTargets(ip.getHostAddress())) ptr.add(new PTRRecord(qname, DClass.IN, TTL, target));
        SOARecord soa = soa(range != null ? range.reverseZone() : Ipv4Range.octetZone(ip, 8));
        if (ptr.isEmpty()) return range == null ? null : negative(Rcode.NXDOMAIN, soa);
        return answer(qname, qtype, new Node(ptr, List.of()), depth, soa);
    }

    private Set<Name> ptrTargets(String ip) {
        Set<Name> targets = new LinkedHashSet<>();
        for (Service svc : view.servicesWithClusterIp(ip)) {
            if (!headless(svc) && !externalName(svc)) targets.add(name(serviceName(svc)));
        }
        for (EndpointSlice slice : view.endpointSlicesWithAddress(ip)) {
            List<String> keys = IndexedClusterView.serviceKey(slice);
            if (keys.isEmpty()) continue;
            String[] key = keys.getFirst().split("/", 2);
            Service svc = view.service(key[0], key[1]);
            if (svc == null || !headless(svc)) continue;
            for (EndpointAddress e : endpoints(svc, List.of(slice))) {
                if (e.address().equals(ip)) targets.add(name(e.label() + "." + serviceName(svc)));
            }
        }
        for (Pod pod : view.podsWithIp(ip)) {
            targets.add(name(ip.replace('.', '-') + "." + pod.getMetadata().getNamespace() + ".pod"));
        }
        return targets;
    }

    // ---- endpoints

    private record NamedPort(String name, String protocol, int port) {
    }

    /** One address of a ready endpoint, with its DNS label (hostname, or the address with dashes) and named ports. */
    private record EndpointAddress(String label, String address, List<NamedPort> ports) {
    }

    private List<EndpointAddress> readyEndpoints(Service svc) {
        return endpoints(svc, view.endpointSlices(svc.getMetadata().getNamespace(), svc.getMetadata().getName()));
    }

    private static List<EndpointAddress> endpoints(Service svc, List<EndpointSlice> slices) {
        boolean publishNotReady = Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses());
        List<EndpointAddress> out = new ArrayList<>();
        for (EndpointSlice slice : slices) {
            if ("FQDN".equals(slice.getAddressType()) || slice.getEndpoints() == null) continue;
            List<NamedPort> ports = new ArrayList<>();
            if (slice.getPorts() != null) {
                for (EndpointPort p : slice.getPorts()) {
                    if (p.getName() != null && !p.getName().isEmpty() && p.getPort() != null) {
                        ports.add(new NamedPort(lower(p.getName()), protocol(p.getProtocol()), p.getPort()));
                    }
                }
            }
            for (Endpoint e : slice.getEndpoints()) {
                boolean ready = e.getConditions() == null || e.getConditions().getReady() == null
                        || e.getConditions().getReady();
                if (!ready && !publishNotReady || e.getAddresses() == null) continue;
                for (String address : e.getAddresses()) {
                    InetAddress a = literal(address);
                    if (a == null) continue;
                    String hostname = e.getHostname();
                    String label = hostname != null && !hostname.isEmpty() ? lower(hostname) : dashes(a);
                    out.add(new EndpointAddress(label, a.getHostAddress(), ports));
                }
            }
        }
        return out;
    }

    /** The Service's named ports: those of its spec, and for headless Services those of its EndpointSlices. */
    private List<NamedPort> namedPorts(Service svc) {
        List<NamedPort> ports = new ArrayList<>();
        for (ServicePort p : svc.getSpec().getPorts()) {
            if (p.getName() != null && !p.getName().isEmpty() && p.getPort() != null) {
                ports.add(new NamedPort(lower(p.getName()), protocol(p.getProtocol()), p.getPort()));
            }
        }
        if (headless(svc)) {
            for (EndpointAddress e : readyEndpoints(svc)) ports.addAll(e.ports());
        }
        return ports;
    }

    // ---- helpers

    static boolean headless(Service svc) {
        return svc.getSpec() != null && "None".equals(svc.getSpec().getClusterIP()) && !externalName(svc);
    }

    static boolean externalName(Service svc) {
        return svc.getSpec() != null && "ExternalName".equals(svc.getSpec().getType());
    }

    private static String serviceName(Service svc) {
        return svc.getMetadata().getName() + "." + svc.getMetadata().getNamespace() + ".svc";
    }

    private static String lower(String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }

    private static String protocol(String p) {
        return p == null || p.isEmpty() ? "tcp" : p.toLowerCase(Locale.ROOT);
    }

    /** {@code relative} under the cluster zone. */
    private Name name(String relative) {
        try {
            return Name.fromString(relative, zone);
        } catch (TextParseException e) {
            throw new IllegalStateException("\"" + relative + "\" is not a DNS name under " + zone + ": " + e.getMessage(), e);
        }
    }

    private static Name absolute(String name) {
        if (name == null || name.isEmpty()) return null;
        try {
            return Name.fromString(name, Name.root);
        } catch (TextParseException e) {
            return null;
        }
    }

    private static Record address(Name owner, InetAddress a) {
        return a instanceof Inet4Address ? new ARecord(owner, DClass.IN, TTL, a) : new AAAARecord(owner, DClass.IN, TTL, a);
    }

    private static InetAddress literal(String ip) {
        if (ip == null || ip.isEmpty() || !(ip.contains(":") || ip.matches("[0-9.]+"))) return null;
        try {
            return InetAddress.ofLiteral(ip);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code 10-42-0-7} for 10.42.0.7 (IPv6: the address with its colons as dashes). */
    static String dashes(InetAddress a) {
        return a.getHostAddress().replace('.', '-').replace(':', '-');
    }

    /** The IPv4 address {@code a-b-c-d} names, or null. */
    static InetAddress fromDashes(String label) {
        String[] parts = label.split("-", -1);
        if (parts.length != 4) return null;
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!parts[i].matches("[0-9]{1,3}")) return null;
            int v = Integer.parseInt(parts[i]);
            if (v > 255) return null;
            b[i] = (byte) v;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private SOARecord zoneSoa() {
        return soa(zone);
    }

    private SOARecord soa(Name apex) {
        return new SOARecord(apex, DClass.IN, TTL, name("ns.dns"), name("hostmaster"), serial, 7200, 1800, 86400, TTL);
    }

    /** An IPv4 network whose reverse names the cluster DNS owns. */
    record Ipv4Range(int network, int bits) {
        static Ipv4Range parse(String cidr) {
            String[] parts = cidr.split("/", -1);
            InetAddress a = literal(parts[0]);
            if (parts.length != 2 || !(a instanceof Inet4Address) || !parts[1].matches("[0-9]{1,2}")
                    || Integer.parseInt(parts[1]) > 32) {
                throw new IllegalArgumentException("reverse zone \"" + cidr + "\" must be an IPv4 network like 10.43.0.0/16");
            }
            int bits = Integer.parseInt(parts[1]);
            return new Ipv4Range(toInt(a) & mask(bits), bits);
        }

        boolean contains(InetAddress a) {
            return a instanceof Inet4Address && (toInt(a) & mask(bits)) == network;
        }

        /** The reverse zone on the octet boundary at or above the range: 43.10.in-addr.arpa. for 10.43.0.0/16. */
        Name reverseZone() {
            byte[] b = {(byte) (network >>> 24), (byte) (network >>> 16), (byte) (network >>> 8), (byte) network};
            try {
                return octetZone(InetAddress.getByAddress(b), bits - bits % 8);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        static Name octetZone(InetAddress a, int bits) {
            byte[] b = a.getAddress();
            StringBuilder s = new StringBuilder();
            for (int i = bits / 8 - 1; i >= 0; i--) s.append(b[i] & 0xff).append('.');
            return Name.fromConstantString(s + "in-addr.arpa.");
        }

        private static int mask(int bits) {
            return bits == 0 ? 0 : (int) (0xffffffffL << (32 - bits));
        }

        private static int toInt(InetAddress a) {
            byte[] b = a.getAddress();
            return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        }
    }
}
