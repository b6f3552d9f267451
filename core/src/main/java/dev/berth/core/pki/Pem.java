package dev.berth.core.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * PEM encoding and decoding of certificates, private keys and certificate requests.
 * Every parse method takes a {@code source} that only serves to name the input in error messages
 * (a file path, "kubeconfig F user admin client-key-data", ...).
 */
public final class Pem {
    private Pem() {}

    /** A certificate as PEM ({@code -----BEGIN CERTIFICATE-----}). */
    public static String encode(X509Certificate certificate) {
        return write(certificate);
    }

    /**
     * A private key as unencrypted PEM in the traditional OpenSSL form, as kubeadm writes keys:
     * {@code EC PRIVATE KEY} (SEC1) for EC keys, {@code RSA PRIVATE KEY} (PKCS#1) for RSA.
     * kubectl and OpenSSL read every form, but the fabric8 client takes an unlabelled PKCS#8
     * {@code PRIVATE KEY} in a kubeconfig for RSA and fails on an EC key.
     */
    public static String encode(PrivateKey key) {
        if (key instanceof ECPrivateKey ec) {
            byte[] sec1 = sec1(ec);
            if (sec1 != null) return write(new PemObject("EC PRIVATE KEY", sec1));
        }
        if (key.getAlgorithm().equals("RSA")) return write(key); // BouncyCastle writes PKCS#1
        try {
            return write(new JcaPKCS8Generator(key, null).generate());
        } catch (IOException e) {
            throw new PkiException("cannot encode " + key.getAlgorithm() + " private key as PKCS#8", e);
        }
    }

    /**
     * RFC 5915 ECPrivateKey with the named curve and the public key, as OpenSSL writes it (Go and
     * fabric8 need the curve in the structure); null for keys on unnamed curves.
     */
    private static byte[] sec1(ECPrivateKey key) {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        if (!(info.getPrivateKeyAlgorithm().getParameters() instanceof ASN1ObjectIdentifier curveOid)) return null;
        X9ECParameters curve = ECNamedCurveTable.getByOID(curveOid);
        if (curve == null) return null;
        ECPoint publicPoint = curve.getG().multiply(key.getS()).normalize();
        try {
            return new org.bouncycastle.asn1.sec.ECPrivateKey(curve.getN().bitLength(), key.getS(),
                    new DERBitString(publicPoint.getEncoded(false)), curveOid).getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new PkiException("cannot encode EC private key as SEC1", e);
        }
    }

    private static String write(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new PkiException("cannot encode " + object.getClass().getSimpleName() + " as PEM", e);
        }
        return out.toString();
    }

    /** Every {@code CERTIFICATE} block in {@code pem}, in order; fails if there is none. */
    public static List<X509Certificate> parseCertificates(String pem, String source) {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object object : readAll(pem, source)) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new PkiException(source + ": invalid certificate: " + e.getMessage(), e);
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new PkiException(source + ": no PEM CERTIFICATE block found");
        }
        return List.copyOf(certificates);
    }

    /** The first certificate in {@code pem}. */
    public static X509Certificate parseCertificate(String pem, String source) {
        return parseCertificates(pem, source).getFirst();
    }

    /** The private key in {@code pem}: PKCS#8 ({@code PRIVATE KEY}), SEC1 ({@code EC PRIVATE KEY}) or PKCS#1 ({@code RSA PRIVATE KEY}). */
    public static PrivateKey parsePrivateKey(String pem, String source) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object object : readAll(pem, source)) {
            try {
                if (object instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
                // only the private part: SEC1 keys may omit the public key, which getKeyPair needs
                if (object instanceof PEMKeyPair pair) return converter.getPrivateKey(pair.getPrivateKeyInfo());
            } catch (IOException e) {
                throw new PkiException(source + ": invalid private key: " + e.getMessage(), e);
            }
        }
        throw new PkiException(source + ": no unencrypted PEM private key block found "
                + "(expected PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY)");
    }

    /** The {@code CERTIFICATE REQUEST} in {@code pem} (PKCS#10). Its signature is not checked here. */
    public static PKCS10CertificationRequest parseCertificateRequest(String pem, String source) {
        for (Object object : readAll(pem, source)) {
            if (object instanceof PKCS10CertificationRequest request) return request;
        }
        throw new CertificateRejectedException(source + ": no PEM CERTIFICATE REQUEST block found");
    }

    private static List<Object> readAll(String pem, String source) {
        List<Object> objects = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            // PEMParser reports malformed base64 or DER as IOException or as an unchecked exception
            throw new PkiException(source + ": malformed PEM: " + e.getMessage(), e);
        }
        return objects;
    }
}
