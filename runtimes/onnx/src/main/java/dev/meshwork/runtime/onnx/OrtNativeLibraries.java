package dev.meshwork.runtime.onnx;

import ai.onnxruntime.OrtEnvironment;
import dev.meshwork.runtime.CachedFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where ONNX Runtime's native libraries are loaded from. By itself ONNX Runtime copies its 24 MB of
 * libraries into a new temporary directory in every process and leaves it behind when the process
 * is killed, which nodes and their isolated slots are (thousands of copies filled this machine's
 * disk). Instead, one copy per user and ONNX Runtime jar is extracted, once, into
 * {@code ~/.cache/meshwork/native/} (owner-only), and every process loads from it. A directory named
 * by {@code onnxruntime.native.path} wins; where the cache cannot be written, ONNX Runtime's own
 * behaviour stays. Called before ONNX Runtime's classes initialise; the first call decides.
 */
final class OrtNativeLibraries {
    private static final System.Logger LOG = System.getLogger(OrtNativeLibraries.class.getName());
    static final String PROPERTY = "onnxruntime.native.path";
    private static final String[] LIBRARIES = {"libonnxruntime.so", "libonnxruntime4j_jni.so"};
    private static boolean decided;

    private OrtNativeLibraries() {
    }

    static synchronized void useSharedCopy() {
        if (decided || System.getProperty(PROPERTY) != null) {
            return;
        }
        decided = true;
        String platform = platform();
        if (platform == null) {
            return; // a platform whose library names differ: ONNX Runtime's own loading
        }
        try {
            Path dir = extracted(CachedFiles.root("native"), platform);
            System.setProperty(PROPERTY, dir.toString());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "ONNX Runtime's libraries stay in a temporary copy per process: " + e);
        }
    }

    private static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return null;
        }
        return arch.equals("amd64") || arch.equals("x86_64") ? "linux-x64" : arch.equals("aarch64") ? "linux-aarch64" : null;
    }

    /** The directory holding this jar's libraries, each extracted now if it is not there yet. */
    static Path extracted(Path root, String platform) throws IOException {
        Path jar = Path.of(java.net.URI.create(OrtEnvironment.class.getProtectionDomain().getCodeSource().getLocation().toString()));
        // named by the jar and its size: another ONNX Runtime version gets a directory of its own
        Path dir = root.resolve(jar.getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + Files.size(jar));
        for (String library : LIBRARIES) {
            String resource = "/ai/onnxruntime/native/" + platform + "/" + library;
            CachedFiles.copyOnce(dir, library, () -> {
                InputStream in = OrtEnvironment.class.getResourceAsStream(resource);
                if (in == null) {
                    throw new IOException("the ONNX Runtime jar has no " + library + " for " + platform);
                }
                return in;
            });
        }
        return dir;
    }
}
