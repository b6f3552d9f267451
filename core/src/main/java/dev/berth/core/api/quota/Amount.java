package dev.berth.core.api.quota;

import io.fabric8.kubernetes.api.model.Quantity;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * A resource quantity as Kubernetes' {@code resource.Quantity} keeps it: an exact value and the
 * format it prints in. Sums take the format of their first non-zero operand, as Kubernetes' do,
 * so {@code 500m + 1} prints {@code 1500m} and {@code 1Gi + 512Mi} prints {@code 1536Mi}.
 */
public record Amount(BigDecimal value, Format format) implements Comparable<Amount> {
    public enum Format { DECIMAL_SI, BINARY_SI, DECIMAL_EXPONENT }

    public static final Amount ZERO = new Amount(BigDecimal.ZERO, Format.DECIMAL_SI);
    private static final BigInteger K1024 = BigInteger.valueOf(1024);
    private static final String[] BINARY_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

    public Amount {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(format, "format");
    }

    /** The amount of a fabric8 quantity; throws IllegalArgumentException naming the value when it is not one. */
    public static Amount of(Quantity q) {
        BigDecimal v;
        try {
            v = q.getNumericalAmount();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("quantity " + q + " must match the regular expression "
                    + "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", e);
        }
        String f = q.getFormat() == null ? "" : q.getFormat();
        Format format = f.endsWith("i") ? Format.BINARY_SI
                : f.startsWith("e") || f.startsWith("E") ? Format.DECIMAL_EXPONENT : Format.DECIMAL_SI;
        return new Amount(v, format);
    }

    public static Amount parse(String s) {
        return of(new Quantity(s));
    }

    public static Amount count(long n) {
        return new Amount(BigDecimal.valueOf(n), Format.DECIMAL_SI);
    }

    public boolean isZero() {
        return value.signum() == 0;
    }

    public boolean isNegative() {
        return value.signum() < 0;
    }

    public Amount plus(Amount other) {
        return new Amount(value.add(other.value), isZero() ? other.format : format);
    }

    public Amount minus(Amount other) {
        return new Amount(value.subtract(other.value), isZero() ? other.format : format);
    }

    /** The value in thousandths, rounded up (Kubernetes' MilliValue). */
    public long milliValue() {
        return value.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    @Override
    public int compareTo(Amount o) {
        return value.compareTo(o.value);
    }

    /** Equal values, whatever their formats. */
    public boolean sameValue(Amount o) {
        return value.compareTo(o.value) == 0;
    }

    public Quantity toQuantity() {
        return new Quantity(toString());
    }

    /** Kubernetes' canonical form: "500m", "2", "1k", "1536Mi", "1e3". */
    @Override
    public String toString() {
        if (isZero()) {
            return "0";
        }
        // Kubernetes keeps at most nano precision, rounding up
        BigDecimal v = value.setScale(Math.max(value.scale(), 0), RoundingMode.UNNECESSARY);
        if (v.scale() > 9) {
            v = v.setScale(9, RoundingMode.CEILING);
        }
        Format f = format;
        if (f == Format.BINARY_SI) {
            boolean small = v.abs().compareTo(BigDecimal.valueOf(1024)) < 0;
            boolean fractional = v.stripTrailingZeros().scale() > 0;
            if (small || fractional) {
                f = Format.DECIMAL_SI;
            }
        }
        if (f == Format.BINARY_SI) {
            BigInteger n = v.toBigIntegerExact();
            int exp = 0;
            while (exp < BINARY_SUFFIXES.length - 1 && n.mod(K1024).signum() == 0) {
                n = n.divide(K1024);
                exp++;
            }
            return n + BINARY_SUFFIXES[exp];
        }
        BigDecimal stripped = v.stripTrailingZeros();
        int exp = Math.floorDiv(-stripped.scale(), 3) * 3;
        if (f == Format.DECIMAL_SI) {
            exp = Math.min(exp, 18);
        }
        BigInteger mantissa = stripped.movePointLeft(exp).toBigIntegerExact();
        return mantissa + suffix(exp, f);
    }

    private static String suffix(int exp, Format f) {
        if (f == Format.DECIMAL_EXPONENT) {
            return exp == 0 ? "" : "e" + exp;
        }
        return switch (exp) {
            case -9 -> "n";
            case -6 -> "u";
            case -3 -> "m";
            case 0 -> "";
            case 3 -> "k";
            case 6 -> "M";
            case 9 -> "G";
            case 12 -> "T";
            case 15 -> "P";
            case 18 -> "E";
            default -> throw new IllegalStateException("no suffix for 10^" + exp);
        };
    }
}
