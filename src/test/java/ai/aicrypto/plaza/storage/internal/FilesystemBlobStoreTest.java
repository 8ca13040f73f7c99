package ai.aicrypto.plaza.storage.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

import ai.aicrypto.plaza.storage.BlobStore;

/** The blob store contract for the data directory's store. */
class FilesystemBlobStoreTest extends BlobStoreContract {

    private Path root() {
        return dataDir.resolve("blobs");
    }

    @Override
    BlobStore store() throws IOException {
        return new FilesystemBlobStore(root());
    }

    @Override
    void flipBit(String key, long offset) throws IOException {
        Path file = root().resolve(key.substring(0, 2)).resolve(key.substring(2, 4)).resolve(key);
        try (var raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x01);
        }
    }

    @Override
    long strayTemporaryFiles() throws IOException {
        return regularFiles(root().resolve("incoming"));
    }
}
