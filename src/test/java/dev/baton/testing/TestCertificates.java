package dev.baton.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made at test time, under {@code target/}: a self-signed PKCS#12 key store for Baton's
 * HTTPS ({@code keytool}), and a small PEM CA with a server certificate for Redis ({@code openssl}).
 * Each names {@code localhost} and {@code 127.0.0.1}, so hostname verification holds.
 */
public final class TestCertificates {

    private static final long TOOL_TIMEOUT_SECONDS = 60;

    private TestCertificates() {
    }

    /** A fresh directory under {@code target/} for one test's certificates. */
    public static Path directory(String prefix) {
        try {
            Path target = Path.of("target").toAbsolutePath();
            Files.createDirectories(target);
            return Files.createTempDirectory(target, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code dir/baton.p12}: a self-signed EC key pair and certificate, alias {@code baton}. */
    public static Path selfSignedKeyStore(Path dir, String password) {
        Path store = dir.resolve("baton.p12");
        run(dir, "keytool", "-genkeypair", "-alias", "baton", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", password);
        return store;
    }

    /** An SSL context that trusts exactly the certificate of {@code keyStore}'s {@code baton} entry. */
    public static SSLContext trusting(Path keyStore, String password) {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore server = KeyStore.getInstance("PKCS12");
            server.load(in, password.toCharArray());
            return trusting(List.of(server.getCertificate("baton")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An SSL context that trusts the PEM certificates in {@code pem} (a CA file). */
    public static SSLContext trustingPem(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            return trusting(new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext trusting(List<? extends Certificate> certificates) throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < certificates.size(); i++) {
            trust.setCertificateEntry("trusted-" + i, certificates.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** PEM files for a TLS Redis: {@code ca.crt}, and {@code redis.crt} / {@code redis.key} signed by it. */
    public record RedisTls(Path ca, Path cert, Path key) {
    }

    /** Makes a CA and a server certificate for {@code localhost} / {@code 127.0.0.1} with openssl. */
    public static RedisTls redisTls(Path dir) {
        run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Baton test CA",
                "-keyout", "ca.key", "-out", "ca.crt");
        run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                "-keyout", "redis.key", "-out", "redis.csr");
        try {
            Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(dir, "openssl", "x509", "-req", "-in", "redis.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", "san.ext", "-out", "redis.crt");
        return new RedisTls(dir.resolve("ca.crt"), dir.resolve("redis.crt"), dir.resolve("redis.key"));
    }

    private static void run(Path dir, String... command) {
        try {
            Path log = dir.resolve(command[0] + ".log");
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
