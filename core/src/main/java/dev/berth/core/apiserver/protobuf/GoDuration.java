package dev.berth.core.apiserver.protobuf;

/** Go's time.Duration.String(): "1h2m3.5s", "150ms", "0s". */
final class GoDuration {
    private GoDuration() {
    }

    static String format(long nanos) {
        if (nanos == 0) {
            return "0s";
        }
        boolean negative = nanos < 0;
        // Long.MIN_VALUE has no positive counterpart; work on the unsigned magnitude.
        long u = negative ? -nanos : nanos;
        StringBuilder sb = new StringBuilder();
        if (Long.compareUnsigned(u, 1_000_000_000L) < 0) {
            String unit;
            long scale;
            if (u < 1_000) {
                return (negative ? "-" : "") + u + "ns";
            } else if (u < 1_000_000) {
                unit = "µs";
                scale = 1_000;
            } else {
                unit = "ms";
                scale = 1_000_000;
            }
            sb.append(Long.toUnsignedString(u / scale)).append(fraction(u % scale, scale)).append(unit);
        } else {
            long seconds = Long.divideUnsigned(u, 1_000_000_000L);
            long frac = Long.remainderUnsigned(u, 1_000_000_000L);
            long hours = seconds / 3600;
            long minutes = seconds / 60 % 60;
            long secs = seconds % 60;
            if (hours > 0) {
                sb.append(hours).append('h');
            }
            if (hours > 0 || minutes > 0) {
                sb.append(minutes).append('m');
            }
            sb.append(secs).append(fraction(frac, 1_000_000_000L)).append('s');
        }
        return (negative ? "-" : "") + sb;
    }

    private static String fraction(long remainder, long scale) {
        if (remainder == 0) {
            return "";
        }
        int digits = Long.toString(scale).length() - 1;
        String s = String.format("%0" + digits + "d", remainder);
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '0') {
            end--;
        }
        return "." + s.substring(0, end);
    }
}
