package ai.aicrypto.plaza.worker.bench;

import ai.aicrypto.plaza.worker.data.InMemoryData;
import ai.aicrypto.plaza.worker.data.Shard;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A real text corpus that every Debian machine has offline: the descriptions of the packages in the apt lists
 * ({@code apt-cache dumpavail}), labelled by their section; the text tests and the text training benchmark read it.
 */
public final class DebianDescriptions {

    /** @param text the synopsis line and the long description, as one line */
    public record Package(String name, String section, String text) {
    }

    private DebianDescriptions() {
    }

    /** The first {@code perSection} packages of each section, in the lists' order. */
    public static List<Package> load(List<String> sections, int perSection) throws IOException, InterruptedException {
        Process apt = new ProcessBuilder("apt-cache", "dumpavail").redirectErrorStream(false).start();
        Map<String, List<Package>> bySection = new LinkedHashMap<>();
        sections.forEach(s -> bySection.put(s, new ArrayList<>()));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(apt.getInputStream(), StandardCharsets.UTF_8))) {
            String name = null, section = null;
            StringBuilder description = null;
            boolean inDescription = false; // continuation lines belong to the field above them (Tag: has some too)
            for (String line = in.readLine(); ; line = in.readLine()) {
                if (line == null || line.isEmpty()) {
                    List<Package> bucket = section == null ? null : bySection.get(section);
                    if (bucket != null && description != null && bucket.size() < perSection) {
                        bucket.add(new Package(name, section, description.toString().strip()));
                    }
                    if (line == null) break;
                    name = section = null;
                    description = null;
                    inDescription = false;
                } else if (line.startsWith(" ")) {
                    if (inDescription && !line.equals(" .")) description.append(' ').append(line.strip());
                } else {
                    inDescription = line.startsWith("Description: ");
                    if (line.startsWith("Package: ")) name = line.substring(9);
                    if (line.startsWith("Section: ")) section = line.substring(9).replaceFirst("^.*/", ""); // contrib/games -> games
                    if (inDescription) description = new StringBuilder(line.substring(13));
                }
            }
        }
        apt.waitFor();
        List<Package> all = new ArrayList<>();
        bySection.forEach((section, packages) -> {
            if (packages.size() < perSection) {
                throw new IllegalStateException("the apt lists have " + packages.size() + " packages of section " + section
                        + ", " + perSection + " wanted (run apt-get update)");
            }
            all.addAll(packages);
        });
        return all;
    }

    /**
     * A fasttext table of the packages: their word count / 100, then {@code slots} hashed n-gram ids written as
     * {@code id + 1} (0: unused), in the plaza's order (its {@code TextNgrams}): words, word pairs, then, when
     * {@code characterNgrams}, each framed word's character 3- to 5-grams; FNV-1a into {@code buckets}.
     */
    public static InMemoryData encode(List<Package> packages, List<String> sections, int slots, int buckets, boolean characterNgrams) {
        int features = 1 + slots;
        float[] x = new float[packages.size() * features];
        int[] y = new int[packages.size()];
        for (int r = 0; r < packages.size(); r++) {
            List<String> words = List.of(packages.get(r).text().toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"));
            List<String> grams = new ArrayList<>();
            words.forEach(w -> grams.add("w:" + w));
            for (int i = 1; i < words.size(); i++) grams.add("b:" + words.get(i - 1) + " " + words.get(i));
            if (characterNgrams) {
                for (String w : words) {
                    int[] cps = ("<" + w + ">").codePoints().toArray();
                    for (int n = 3; n <= 5; n++) for (int i = 0; i + n <= cps.length; i++) grams.add("c:" + new String(cps, i, n));
                }
            }
            Set<Integer> ids = new LinkedHashSet<>();
            for (int i = 0; i < grams.size() && ids.size() < slots; i++) ids.add(bucket(grams.get(i), buckets));
            x[r * features] = words.size() / 100f;
            int slot = 0;
            for (int id : ids) x[r * features + 1 + slot++] = id + 1;
            y[r] = sections.indexOf(packages.get(r).section());
        }
        return InMemoryData.of(new Shard(packages.size(), features, x, y, null), sections);
    }

    private static int bucket(String gram, int buckets) {
        int hash = 0x811c9dc5;
        for (byte b : gram.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x01000193;
        }
        return Integer.remainderUnsigned(hash, buckets);
    }

    /** The builder's fasttext card for {@link #encode}'s table: embedding width 32, Adam at 0.01, batches of 32. */
    public static String card(List<String> sections, int slots, int buckets, List<Integer> hidden, int epochs) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode card = json.createObjectNode().put("specVersion", "1.4").put("name", "debian sections").put("task", "classification");
        var columns = card.putObject("input").put("kind", "tabular").putArray("columns");
        columns.add("words");
        for (int i = 0; i < slots; i++) columns.add("description@" + i);
        var classes = card.putObject("output").putArray("classes");
        sections.forEach(classes::add);
        ObjectNode arch = card.putObject("architecture").put("template", "fasttext").put("buckets", buckets)
                .put("embeddingDim", 32).put("textSlots", slots);
        if (!hidden.isEmpty()) {
            hidden.forEach(arch.putArray("hiddenSizes")::add);
            arch.put("activation", "relu").put("dropout", 0.1);
        }
        ObjectNode hp = card.putObject("hyperparameters");
        hp.putObject("optimizer").put("default", "adam").putArray("allowed").add("adam");
        hp.putObject("learningRate").put("default", 0.01).put("min", 0.0001).put("max", 1);
        hp.putObject("batchSize").put("default", 32).put("min", 1).put("max", 1024);
        hp.putObject("epochs").put("default", epochs).put("min", 1).put("max", 100);
        hp.putObject("weightDecay").put("default", 0).put("min", 0).put("max", 0.1);
        hp.putObject("seed").put("default", 42).put("min", 0).put("max", 1000);
        card.putObject("runtime").put("engine", "djl-pytorch");
        card.put("license", "MIT").put("priceAic", "0");
        return card.toString();
    }
}
