package ai.aicrypto.plaza.support;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import org.springframework.core.io.ClassPathResource;

/** The smallest training job's parts, for tests of what happens around a job (payments, audits, uses): four iris rows and a softmax card. */
public final class IrisJob {

    private IrisJob() {
    }

    /** A free dataset of four iris rows (label "species"), imported for {@code ownerId}. */
    public static long dataset(Datasets datasets, long ownerId) throws IOException {
        Path csv = Files.createTempFile("iris", ".csv");
        Files.writeString(csv, "sepal_length,sepal_width,petal_length,petal_width,species\n"
                + "5.1,3.5,1.4,0.2,setosa\n7.0,3.2,4.7,1.4,versicolor\n6.3,3.3,6.0,2.5,virginica\n4.9,3.0,1.4,0.2,setosa\n");
        try {
            return datasets.importDataset(ownerId, new DatasetUpload(new ListingDraft("Iris " + System.nanoTime(), "", List.of(),
                    "MIT", BigDecimal.ZERO), csv, "iris.csv", null, null, "species"));
        } finally {
            Files.deleteIfExists(csv);
        }
    }

    /** The example softmax-regression card, published without weights for {@code ownerId}. */
    public static long softmaxModel(Models models, long ownerId) throws IOException {
        return models.publish(ownerId, new ModelUpload(new ClassPathResource(
                "model-card/examples/tabular-softmax-regression.json").getContentAsString(StandardCharsets.UTF_8), List.of(), null));
    }
}
