package ai.aicrypto.plaza.support;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.model.card.RecommendedModels;
import ai.aicrypto.plaza.model.card.TrainedCards;
import tools.jackson.databind.node.ObjectNode;

/**
 * A network for the wine table (13 measurements, 3 cultivars) with known weights, as the builder's trained model is:
 * its card carries the owner's wine upload's preprocessing, so it takes raw records. {@link #label} is its answer
 * computed apart from the plaza's inference path.
 */
public record WineModel(long id, String cardJson, Preprocessing preprocessing, DenseWeights weights) {

    /** Uploads the wine CSV as the owner's dataset and creates the model on it (published or private). */
    public static WineModel create(Datasets datasets, Models models, long ownerId, Path tmp, long seed, boolean published)
            throws IOException {
        return onTable(datasets, models, ownerId, tmp, seed, published, "Wine", SklearnData.wineCsv(), "cultivar");
    }

    /**
     * The same kind of network on another table ({@code csv}, its label {@code labelColumn}): e.g. a model of the breast
     * cancer data, whose inputs are not the wine's.
     */
    public static WineModel onTable(Datasets datasets, Models models, long ownerId, Path tmp, long seed, boolean published,
                                    String title, String csv, String labelColumn) throws IOException {
        String name = title.toLowerCase(java.util.Locale.ROOT) + "-" + seed;
        long dataset = datasets.importDataset(ownerId, new DatasetUpload(new ListingDraft(title, "", List.of(),
                "CC0-1.0", BigDecimal.ZERO), Files.writeString(tmp.resolve(name + ".csv"), csv),
                title.toLowerCase(java.util.Locale.ROOT) + ".csv", null, null,
                labelColumn));
        Preprocessing preprocessing = datasets.preprocessing(dataset);
        ObjectNode card = (ObjectNode) RecommendedModels.find(RecommendedModels.MLP, title, preprocessing, csv.lines().count() - 1)
                .orElseThrow().card().json().deepCopy();
        TrainedCards.describeInput(card, preprocessing);
        DenseWeights weights = new DenseWeights(seed, preprocessing.featureCount(), 32, preprocessing.label().classes().size());
        Path file = Files.write(tmp.resolve(name + "-" + System.nanoTime() + ".safetensors"), weights.safetensors());
        ModelUpload upload = new ModelUpload(card.toString(), List.of(), file);
        long id = published ? models.publish(ownerId, upload) : models.createPrivate(ownerId, upload);
        return new WineModel(id, card.toString(), preprocessing, weights);
    }

    /** The most probable cultivar for a raw record, by a plain-Java forward pass of the same weights. */
    public String label(Map<String, String> record) {
        double[] p = weights.probabilities(preprocessing.encode(record));
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            best = p[c] > p[best] ? c : best;
        }
        return preprocessing.label().classes().get(best);
    }

    /** Row {@code index} of the wine table as a user would send it: every measurement by column name. */
    public static Map<String, String> record(int index) {
        List<String> lines = SklearnData.wineCsv().lines().toList();
        String[] header = lines.get(0).split(","), row = lines.get(1 + index).split(",");
        Map<String, String> record = new LinkedHashMap<>();
        for (int i = 0; i < header.length - 1; i++) {
            record.put(header[i], row[i]);
        }
        return record;
    }

    /** The cultivar of row {@code index}. */
    public static String cultivar(int index) {
        String line = SklearnData.wineCsv().lines().skip(1 + index).findFirst().orElseThrow();
        return line.substring(line.lastIndexOf(',') + 1);
    }
}
