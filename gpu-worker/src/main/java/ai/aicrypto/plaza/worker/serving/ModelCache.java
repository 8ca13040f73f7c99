package ai.aicrypto.plaza.worker.serving;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Models loaded for serving, in memory only, least recently used first out once their bytes pass the bound. A model
 * is loaded once however many pollers ask for it at the same time.
 */
final class ModelCache {

    interface Loader {
        ForwardPass load(String key) throws IOException;
    }

    private final long maxBytes;
    private final Loader loader;
    private final LinkedHashMap<String, ForwardPass> models = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    ModelCache(long maxBytes, Loader loader) {
        this.maxBytes = maxBytes;
        this.loader = loader;
    }

    /** The model, loaded now if it is not held (under the cache's lock: a second asker waits for the first load). */
    synchronized ForwardPass get(String key) throws IOException {
        ForwardPass model = models.get(key);
        if (model != null) {
            return model;
        }
        model = loader.load(key);
        models.put(key, model);
        bytes += model.bytes();
        for (Iterator<Map.Entry<String, ForwardPass>> it = models.entrySet().iterator(); bytes > maxBytes && it.hasNext(); ) {
            Map.Entry<String, ForwardPass> eldest = it.next();
            if (eldest.getValue() == model) {
                continue; // the one just asked for stays, even alone over the bound
            }
            it.remove();
            bytes -= eldest.getValue().bytes();
            synchronized (eldest.getValue()) {
                eldest.getValue().close();
            }
        }
        return model;
    }

    synchronized Set<String> keys() {
        return Set.copyOf(models.keySet());
    }
}
