package io.qontrek.factorydr.offsite;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server for tests: S3Proxy on 127.0.0.1 over a filesystem blob store in a temp
 * directory, with one bucket. {@link #stop()} and {@link #start()} again keep the port and the
 * stored objects, so a test can take S3 away in the middle of a run and bring it back.
 */
public final class S3TestServer implements AutoCloseable {
    public static final String ACCESS_KEY = "AKIDTEST";
    public static final String SECRET_KEY = "SECRETTEST";
    public static final String BUCKET = "factory-dr-test";
    public static final String REGION = "us-east-1";

    private final Path baseDir;
    private final int port;
    private BlobStoreContext context;
    private S3Proxy proxy;

    private S3TestServer(Path baseDir, int port) {
        this.baseDir = baseDir;
        this.port = port;
    }

    /** Starts a server storing under dir, and creates {@link #BUCKET}. */
    public static S3TestServer start(Path dir) throws Exception {
        S3TestServer s = new S3TestServer(Files.createDirectories(dir), freePort());
        s.start();
        try (S3Client c = s.client()) {
            c.createBucket(b -> b.bucket(BUCKET));
        }
        return s;
    }

    public synchronized void start() throws Exception {
        if (proxy != null) return;
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", baseDir.toString());
        context = ContextBuilder.newBuilder("filesystem").overrides(props).credentials("unused", "unused")
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(context.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:" + port)).build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            Thread.sleep(10);
        }
    }

    public synchronized void stop() throws Exception {
        if (proxy == null) return;
        proxy.stop();
        context.close();
        proxy = null;
        context = null;
    }

    @Override
    public void close() throws Exception {
        stop();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Where the filesystem blob store keeps an object's bytes: for corrupting it behind the server's back. */
    public Path storedFile(String key) {
        return baseDir.resolve(BUCKET).resolve(key);
    }

    /** A client with the test credentials, for looking at what the code under test stored. */
    public S3Client client() {
        return S3Clients.create(settings(), StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)));
    }

    public OffsiteSettings settings() {
        return new OffsiteSettings(true, endpoint(), BUCKET, "factory-runtime/", REGION, true, "STANDARD", "none", "", 5, "etag");
    }

    /** The environment of a CLI run that copies offsite to this server. */
    public java.util.Map<String, String> env() {
        return java.util.Map.of("FACTORY_S3_ENABLED", "true", "FACTORY_S3_ENDPOINT", endpoint(), "FACTORY_S3_BUCKET", BUCKET,
                "AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_REGION", REGION,
                "FACTORY_S3_RETRY_DELAY_MS", "100");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
