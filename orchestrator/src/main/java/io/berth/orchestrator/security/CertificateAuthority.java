package io.berth.orchestrator.security;

import io.berth.orchestrator.daemon.StateRoot;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The daemon's own CA, made on first start: it signs the API's serving certificate and the admin
 * client certificate, and is the one certificate kubeconfig tells clients to trust. ECDSA P-256
 * (what kubeadm uses for new clusters; fast to generate, which matters on first start).
 *
 * <p>This class names no Bouncy Castle type: a start whose keys and certificates are all in place
 * reads them with the JDK alone and never loads BC (a signed jar, whose classes the JDK's AOT cache
 * cannot hold); only issuing a certificate goes through {@link CertificateIssuer}.
 */
public final class CertificateAuthority {

    /** The client certificate's user and group; the group is Kubernetes' name for "may do anything". */
    public static final String ADMIN_USER = "berth-admin";
    public static final String ADMIN_GROUP = "system:masters";

    static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;

    private CertificateAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /**
     * Loads the CA, or makes it; then (re)issues the serving certificate when it is missing, expires
     * within a month, or does not name {@code address}, and the admin client certificate when missing.
     */
    public static CertificateAuthority ensure(StateRoot root, String address) {
        CertificateAuthority ca;
        if (Files.exists(root.caCertificate()) && Files.exists(root.caKey())) {
            ca = new CertificateAuthority(Pem.readCertificate(root.caCertificate()), Pem.readEcKey(root.caKey()));
        } else {
            KeyPair pair = newKeyPair();
            X509Certificate cert = CertificateIssuer.selfSignedCa(pair);
            // The key first: a CA certificate without its key would be loaded and unusable.
            Pem.writePrivate(root.caKey(), Pem.privateKey(pair.getPrivate()));
            Pem.writePrivate(root.caCertificate(), Pem.certificate(cert));
            ca = new CertificateAuthority(cert, pair.getPrivate());
        }
        if (!servingCertificateFits(root, address)) {
            KeyPair pair = newKeyPair();
            X509Certificate cert = CertificateIssuer.serving(ca.certificate, ca.key, pair, address);
            Pem.writePrivate(root.servingKey(), Pem.privateKey(pair.getPrivate()));
            Pem.writePrivate(root.servingCertificate(), Pem.certificate(cert));
        }
        if (!Files.exists(root.clientCertificate()) || !Files.exists(root.clientKey())) {
            KeyPair pair = newKeyPair();
            X509Certificate cert = CertificateIssuer.adminClient(ca.certificate, ca.key, pair);
            Pem.writePrivate(root.clientKey(), Pem.privateKey(pair.getPrivate()));
            Pem.writePrivate(root.clientCertificate(), Pem.certificate(cert));
        }
        return ca;
    }

    public X509Certificate certificate() {
        return certificate;
    }

    private static boolean servingCertificateFits(StateRoot root, String address) {
        if (!Files.exists(root.servingCertificate()) || !Files.exists(root.servingKey())) {
            return false;
        }
        X509Certificate cert = Pem.readCertificate(root.servingCertificate());
        if (cert.getNotAfter().toInstant().isBefore(Instant.now().plus(Duration.ofDays(30)))) {
            return false;
        }
        try {
            var names = cert.getSubjectAlternativeNames();
            if (names == null) {
                return false;
            }
            String wanted = literal(address);
            return names.stream().anyMatch(n -> wanted.equalsIgnoreCase(String.valueOf(n.get(1))));
        } catch (java.security.cert.CertificateParsingException e) {
            return false;
        }
    }

    /** An IP address as the certificate spells it (Java reports SAN IPs in their canonical form). */
    private static String literal(String address) {
        if (isIpLiteral(address)) {
            try {
                return InetAddress.getByName(address).getHostAddress();
            } catch (java.net.UnknownHostException e) {
                return address;
            }
        }
        return address;
    }

    static boolean isIpLiteral(String address) {
        return address.matches("[0-9.]+") || address.contains(":");
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make P-256 keys: " + e.getMessage(), e);
        }
    }


    /**
     * A TLS context that trusts only the CA in {@code caPem}: how the daemon's own clients (its AOT
     * training, the tests, the benchmarks) reach its API, as kubectl does with the kubeconfig's CA.
     */
    public static SSLContext trustingOnly(Path caPem) throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            ks.setCertificateEntry("berth-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
