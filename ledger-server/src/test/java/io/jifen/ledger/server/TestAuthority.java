package io.jifen.ledger.server;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made for one test run (BouncyCastle): its certificate, and certificates it signs for a
 * server on localhost / 127.0.0.1 or for a client, each written as a PEM certificate and a PKCS#8 PEM key, the files
 * an operator gives {@code ledger serve --tls-cert/--tls-key/--tls-client-ca}.
 */
final class TestAuthority
{
    private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());
    private static final long DAY_MS = 86_400_000L;

    /** A certificate and its key, as files. */
    record Issued(Path cert, Path key)
    {
    }

    private final X500Name name;
    private final KeyPair keys;
    private final X509Certificate certificate;
    /** The CA's certificate as a PEM file: what a peer trusts. */
    final Path cert;

    TestAuthority(final String commonName, final Path dir) throws IOException, GeneralSecurityException
    {
        name = new X500Name("CN=" + commonName);
        keys = keyPair();
        certificate = sign(name, keys.getPublic(), true, null);
        Files.createDirectories(dir);
        cert = dir.resolve(commonName.replace(' ', '-') + "-ca.pem");
        write(cert, certificate);
    }

    /** A certificate for a server reached as localhost or 127.0.0.1. */
    Issued server(final Path dir) throws IOException, GeneralSecurityException
    {
        return issue("localhost", dir, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    }

    /** A certificate for a client named {@code commonName}. */
    Issued client(final String commonName, final Path dir) throws IOException, GeneralSecurityException
    {
        return issue(commonName, dir, null);
    }

    private Issued issue(final String commonName, final Path dir, final GeneralNames altNames)
        throws IOException, GeneralSecurityException
    {
        final KeyPair pair = keyPair();
        final X509Certificate issued = sign(new X500Name("CN=" + commonName), pair.getPublic(), false, altNames);
        Files.createDirectories(dir);
        final Path certFile = dir.resolve(commonName + ".pem");
        final Path keyFile = dir.resolve(commonName + ".key");
        write(certFile, issued);
        try (Writer writer = Files.newBufferedWriter(keyFile); JcaPEMWriter pem = new JcaPEMWriter(writer))
        {
            pem.writeObject(new JcaPKCS8Generator(pair.getPrivate(), null));
        }
        return new Issued(certFile, keyFile);
    }

    private X509Certificate sign(final X500Name subject, final java.security.PublicKey key, final boolean ca,
        final GeneralNames altNames) throws IOException, GeneralSecurityException
    {
        final long now = System.currentTimeMillis();
        final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
            BigInteger.valueOf(SERIAL.incrementAndGet()), new Date(now - DAY_MS), new Date(now + DAY_MS), subject, key);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (null != altNames)
        {
            builder.addExtension(Extension.subjectAlternativeName, false, altNames);
        }
        try
        {
            // signed with the CA's key: its own certificate too (self-signed)
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        }
        catch (final OperatorCreationException ex)
        {
            throw new GeneralSecurityException(ex);
        }
    }

    private static KeyPair keyPair() throws GeneralSecurityException
    {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static void write(final Path file, final X509Certificate certificate) throws IOException
    {
        try (Writer writer = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(writer))
        {
            pem.writeObject(certificate);
        }
    }
}
