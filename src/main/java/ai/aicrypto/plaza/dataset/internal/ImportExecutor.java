package ai.aicrypto.plaza.dataset.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import ai.aicrypto.plaza.dataset.DatasetProperties;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The threads that import datasets, so that no request thread profiles, preprocesses or encrypts (a 2 GiB CSV takes
 * minutes). Bounded twice: so many imports run at once ({@code plaza.dataset.import-threads}) and so many wait
 * ({@code import-queue}). A place is {@link #reserve reserved} before anything of an upload is stored, so a full
 * executor refuses the upload with nothing to undo.
 */
@Component
class ImportExecutor implements DisposableBean {

    /** How long a refused uploader is asked to wait: about what a queued import of a large file takes. */
    static final int RETRY_AFTER_SECONDS = 60;

    private final Semaphore places;
    private final ExecutorService threads;

    ImportExecutor(DatasetProperties properties) {
        places = new Semaphore(properties.importThreads() + properties.importQueue());
        AtomicInteger count = new AtomicInteger();
        // The queue itself need not be bounded: no more than the places reserved are ever in it.
        threads = new ThreadPoolExecutor(properties.importThreads(), properties.importThreads(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "dataset-import-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /**
     * A place for one import; close it unused to give it back.
     *
     * @throws Busy when every thread is working and the queue is full
     */
    Place reserve() {
        if (!places.tryAcquire()) {
            throw new Busy();
        }
        return new Place();
    }

    @Override
    public void destroy() {
        threads.shutdownNow();
    }

    /** A reserved place: {@link #start} runs the import there, {@link #close} gives the place back if it never did. */
    final class Place implements AutoCloseable {

        private boolean started;

        void start(Runnable work) {
            if (started) {
                throw new IllegalStateException("a place runs one import");
            }
            started = true;
            threads.execute(() -> {
                try {
                    work.run();
                } finally {
                    places.release();
                }
            });
        }

        @Override
        public void close() {
            if (!started) {
                places.release();
            }
        }
    }

    /** Every import thread is working and as many uploads wait as may: try again later (503 with Retry-After). */
    static final class Busy extends RuntimeException {

        Busy() {
            super("dataset.error.imports-busy");
        }
    }
}
