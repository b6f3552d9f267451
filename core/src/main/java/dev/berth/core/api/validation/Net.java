package dev.berth.core.api.validation;

import java.net.InetAddress;
import java.util.regex.Pattern;

/** IP address and CIDR syntax, without name resolution. */
final class Net {
    private Net() {}

    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

    static boolean isIPv4(String s) {
        return s != null && IPV4.matcher(s).matches();
    }

    static boolean isIPv6(String s) {
        if (s == null || !s.contains(":") || !IPV6_CHARS.matcher(s).matches()) return false;
        try {
            // a literal with ':' is parsed, never looked up
            return InetAddress.getByName(s) instanceof java.net.Inet6Address || s.startsWith("::ffff:");
        } catch (Exception e) {
            return false;
        }
    }

    static boolean isIP(String s) {
        return isIPv4(s) || isIPv6(s);
    }

    static boolean isCIDR(String s) {
        if (s == null) return false;
        int slash = s.indexOf('/');
        if (slash < 0) return false;
        String ip = s.substring(0, slash);
        String bits = s.substring(slash + 1);
        int max = isIPv4(ip) ? 32 : isIPv6(ip) ? 128 : -1;
        if (max < 0 || bits.isEmpty() || bits.length() > 3) return false;
        try {
            int n = Integer.parseInt(bits);
            return n >= 0 && n <= max && String.valueOf(n).equals(bits);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
