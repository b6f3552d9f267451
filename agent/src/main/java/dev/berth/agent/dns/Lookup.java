package dev.berth.agent.dns;

import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;

import java.util.List;

/**
 * The authoritative answer to one question about a cluster name.
 *
 * @param rcode          NOERROR (with records, or none: no data) or NXDOMAIN
 * @param answer         the answer section
 * @param authority      the zone's SOA on negative answers, as RFC 2308 asks
 * @param additional     addresses of SRV targets and of the name server
 * @param externalTarget when the answer ends in a CNAME to a name outside the cluster (ExternalName),
 *                       that name, for the server to resolve upstream; else null
 */
public record Lookup(int rcode, List<Record> answer, List<Record> authority, List<Record> additional,
                     Name externalTarget) {
    public Lookup {
        answer = List.copyOf(answer);
        authority = List.copyOf(authority);
        additional = List.copyOf(additional);
    }

    public boolean nxdomain() {
        return rcode == Rcode.NXDOMAIN;
    }
}
