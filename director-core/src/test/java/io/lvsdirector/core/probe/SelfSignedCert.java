package io.lvsdirector.core.probe;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed certificate and its key for TLS tests, made by the JDK's own {@code keytool} (no
 * BouncyCastle, no openssl): a PKCS#12 key store, the certificate as PEM (the CA file a check
 * trusts: a self-signed certificate is its own CA), and the key as PKCS#8 PEM (what nginx reads).
 */
public final class SelfSignedCert {

    private static final char[] PASSWORD = "changeit".toCharArray();

    private final Path keyStore;
    private final Path certPem;
    private final Path keyPem;

    private SelfSignedCert(Path keyStore, Path certPem, Path keyPem) {
        this.keyStore = keyStore;
        this.certPem = certPem;
        this.keyPem = keyPem;
    }

    /**
     * Makes {@code name}.p12, {@code name}.pem and {@code name}.key in {@code dir}.
     *
     * @param sans subject alternative names in keytool's spelling, e.g. {@code dns:edge.example,ip:127.0.0.1}
     */
    public static SelfSignedCert create(Path dir, String name, String commonName, String sans)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path p12 = dir.resolve(name + ".p12");
        Path pem = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + ".key");
        Files.deleteIfExists(p12);
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(keytool, "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + commonName, "-ext", "SAN=" + sans, "-validity", "30",
                "-keystore", p12.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit"));
        run(List.of(keytool, "-exportcert", "-rfc", "-alias", name, "-keystore", p12.toString(),
                "-storepass", "changeit", "-file", pem.toString()));
        SelfSignedCert cert = new SelfSignedCert(p12, pem, key);
        try {
            KeyStore ks = cert.load();
            PrivateKey k = (PrivateKey) ks.getKey(name, PASSWORD);
            String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(k.getEncoded());
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n");
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
        return cert;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(command.get(1) + " failed: " + out);
        }
    }

    private KeyStore load() throws IOException, java.security.GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keyStore.toFile())) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    /** The certificate, PEM: the CA file of a check that trusts it. */
    public Path certPem() {
        return certPem;
    }

    /** The private key, PKCS#8 PEM. */
    public Path keyPem() {
        return keyPem;
    }

    /** The key manager a server presenting this certificate uses. */
    public KeyManagerFactory keyManagers() throws IOException, java.security.GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(), PASSWORD);
        return kmf;
    }

    /** A JDK server context presenting this certificate. */
    public SSLContext serverContext() throws IOException, java.security.GeneralSecurityException {
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(keyManagers().getKeyManagers(), null, null);
        return c;
    }
}
