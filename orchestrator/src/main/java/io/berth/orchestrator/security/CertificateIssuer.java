package io.berth.orchestrator.security;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
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
 * Builds and signs the CA's certificates with Bouncy Castle (the JDK has no public X.509 builder).
 * Kept apart from {@link CertificateAuthority} so that only a start that issues a certificate (the
 * first, or one whose serving certificate no longer fits) loads BC's classes: the JVM's verifier
 * loads the types a class passes around when it links it, whether or not that code runs.
 */
final class CertificateIssuer {
    private static final Duration CA_LIFETIME = Duration.ofDays(3650);
    private static final Duration LEAF_LIFETIME = Duration.ofDays(365);

    private CertificateIssuer() {
    }

    static X509Certificate serving(X509Certificate ca, PrivateKey caKey, KeyPair pair, String address) {
        return issue(ca, caKey, pair, new X500Name("CN=berth-apiserver"), KeyPurposeId.id_kp_serverAuth,
                subjectAltNames(address));
    }

    static X509Certificate adminClient(X509Certificate ca, PrivateKey caKey, KeyPair pair) {
        return issue(ca, caKey, pair,
                new X500Name("O=" + CertificateAuthority.ADMIN_GROUP + ",CN=" + CertificateAuthority.ADMIN_USER),
                KeyPurposeId.id_kp_clientAuth, null);
    }

    private static GeneralNames subjectAltNames(String address) {
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.dNSName, "localhost"));
        names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        names.add(new GeneralName(GeneralName.iPAddress, "::1"));
        if (!address.equals("127.0.0.1") && !address.equals("localhost") && !address.equals("::1")) {
            names.add(new GeneralName(CertificateAuthority.isIpLiteral(address) ? GeneralName.iPAddress : GeneralName.dNSName, address));
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    static X509Certificate selfSignedCa(KeyPair pair) {
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
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make the CA: " + e.getMessage(), e);
        }
    }

    private static X509Certificate issue(X509Certificate certificate, PrivateKey key, KeyPair pair, X500Name subject,
                                         KeyPurposeId purpose, GeneralNames sans) {
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
        } catch (GeneralSecurityException | IOException e) {
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
        return new BigInteger(127, CertificateAuthority.RANDOM).add(BigInteger.ONE);
    }
}
