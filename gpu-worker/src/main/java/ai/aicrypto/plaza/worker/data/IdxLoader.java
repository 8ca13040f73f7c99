package ai.aicrypto.plaza.worker.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Loads MNIST-style IDX files (optionally gzip-compressed) into memory the way the app preprocesses them:
 * pixel / 255 as features, labels as class indices. For tests and benchmarks only.
 */
public final class IdxLoader {

    private IdxLoader() {
    }

    /** Reads the first {@code limit} images and labels starting at image {@code offset}. */
    public static Shard load(Path images, Path labels, int offset, int limit) throws IOException {
        try (DataInputStream im = open(images); DataInputStream lb = open(labels)) {
            int magicI = im.readInt();
            int magicL = lb.readInt();
            if (magicI != 0x0803 || magicL != 0x0801) throw new IOException("not IDX unsigned-byte images/labels");
            int count = im.readInt();
            int rows = im.readInt();
            int cols = im.readInt();
            if (lb.readInt() != count) throw new IOException("image and label counts differ");
            int n = Math.max(0, Math.min(limit, count - offset));
            int fc = rows * cols;
            im.skipNBytes((long) offset * fc);
            lb.skipNBytes(offset);
            byte[] px = new byte[n * fc];
            im.readFully(px);
            byte[] lab = new byte[n];
            lb.readFully(lab);
            float[] f = new float[px.length];
            for (int i = 0; i < px.length; i++) f[i] = (px[i] & 0xff) / 255f;
            int[] l = new int[n];
            for (int i = 0; i < n; i++) l[i] = lab[i] & 0xff;
            return new Shard(n, fc, f, l, null);
        }
    }

    private static DataInputStream open(Path p) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16);
        if (p.getFileName().toString().endsWith(".gz")) in = new GZIPInputStream(in, 1 << 16);
        return new DataInputStream(in);
    }
}
