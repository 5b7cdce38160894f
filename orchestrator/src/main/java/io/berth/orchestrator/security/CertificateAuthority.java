package io.berth.orchestrator.security;

import io.berth.orchestrator.daemon.StateRoot;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The daemon's own CA, made on first start: it signs the API's serving certificate and the admin
 * client certificate, and is the one certificate kubeconfig tells clients to trust. ECDSA P-256
 * (what kubeadm uses for new clusters; fast to generate, which matters on first start).
 */
public final class CertificateAuthority {

    /** The client certificate's user and group; the group is Kubernetes' name for "may do anything". */
    public static final String ADMIN_USER = "berth-admin";
    public static final String ADMIN_GROUP = "system:masters";

    private static final Duration CA_LIFETIME = Duration.ofDays(3650);
    private static final Duration LEAF_LIFETIME = Duration.ofDays(365);
    private static final SecureRandom RANDOM = new SecureRandom();

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
            X509Certificate cert = ca(pair);
            // The key first: a CA certificate without its key would be loaded and unusable.
            Pem.writePrivate(root.caKey(), Pem.privateKey(pair.getPrivate()));
            Pem.writePrivate(root.caCertificate(), Pem.certificate(cert));
            ca = new CertificateAuthority(cert, pair.getPrivate());
        }
        if (!servingCertificateFits(root, address)) {
            KeyPair pair = newKeyPair();
            X509Certificate cert = ca.issue(pair, new X500Name("CN=berth-apiserver"), KeyPurposeId.id_kp_serverAuth,
                    subjectAltNames(address));
            Pem.writePrivate(root.servingKey(), Pem.privateKey(pair.getPrivate()));
            Pem.writePrivate(root.servingCertificate(), Pem.certificate(cert));
        }
        if (!Files.exists(root.clientCertificate()) || !Files.exists(root.clientKey())) {
            KeyPair pair = newKeyPair();
            X509Certificate cert = ca.issue(pair, new X500Name("O=" + ADMIN_GROUP + ",CN=" + ADMIN_USER),
                    KeyPurposeId.id_kp_clientAuth, null);
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

    private static boolean isIpLiteral(String address) {
        return address.matches("[0-9.]+") || address.contains(":");
    }

    private static GeneralNames subjectAltNames(String address) {
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        names.add(new GeneralName(GeneralName.iPAddress, "::1"));
        if (!address.equals("127.0.0.1") && !address.equals("localhost") && !address.equals("::1")) {
            names.add(new GeneralName(isIpLiteral(address) ? GeneralName.iPAddress : GeneralName.dNSName, address));
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
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

    private static X509Certificate ca(KeyPair pair) {
        try {
            X500Name name = new X500Name("CN=berth-ca");
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(CA_LIFETIME)), name, pair.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return sign(b, pair.getPrivate());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot make the CA: " + e.getMessage(), e);
        }
    }

    private X509Certificate issue(KeyPair pair, X500Name subject, KeyPurposeId purpose, GeneralNames sans) {
        try {
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(LEAF_LIFETIME)), subject, pair.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            if (sans != null) {
                b.addExtension(Extension.subjectAlternativeName, false, sans);
            }
            return sign(b, key);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot issue a certificate for " + subject + ": " + e.getMessage(), e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }
}
