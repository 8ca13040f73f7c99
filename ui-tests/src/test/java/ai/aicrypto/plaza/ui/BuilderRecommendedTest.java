package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * A member uploads a real table of their own (the wine recognition data Debian's python3-sklearn ships) and, in the
 * Easy AI Builder, is offered models made for it: a neural network and a linear model, above the published cards.
 * Choosing the neural network leads to its settings, sized to the data.
 */
class BuilderRecommendedTest extends PlazaBrowserTest {

    static final Path SKLEARN = Paths.get("/usr/lib/python3/dist-packages/sklearn/datasets/data");
    static final List<String> WINE_COLUMNS = List.of("alcohol", "malic_acid", "ash", "alcalinity_of_ash",
            "magnesium", "total_phenols", "flavanoids", "nonflavanoid_phenols", "proanthocyanins", "color_intensity",
            "hue", "od280/od315_of_diluted_wines", "proline");

    /**
     * The wine data as a user would have it: sklearn's file starts with a line of counts and class names
     * ("178,13,class_0,class_1,class_2") instead of a header, and codes the class as 0..2 in the last column.
     */
    static String wineCsv() throws IOException {
        List<String> lines = Files.readAllLines(SKLEARN.resolve("wine_data.csv"), StandardCharsets.UTF_8);
        String[] classes = lines.get(0).split(",");
        StringBuilder out = new StringBuilder(String.join(",", WINE_COLUMNS)).append(",cultivar\n");
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            int last = line.lastIndexOf(',');
            out.append(line, 0, last + 1).append(classes[2 + Integer.parseInt(line.substring(last + 1).strip())]).append('\n');
        }
        return out.toString();
    }

    @Test
    void ownTableGetsRecommendedModelsAndTheirSettings() throws IOException {
        registerAndSignIn("builder");
        Path csv = tempFile("plaza-wine-", ".csv");
        Files.writeString(csv, wineCsv(), StandardCharsets.UTF_8);
        String title = "UI wine " + System.currentTimeMillis();

        uploadFreeCsv(title, csv, "cultivar");
        assertEquals("178", textOf(By.id("row-count")).trim());
        screenshot("wine-dataset");

        open("/builder");
        visible(By.xpath("//label[contains(., '" + title + "')]/input")).click();
        assertContains(driver.findElement(By.xpath("//label[contains(., '" + title + "')]")).getText(), "178",
                "the dataset's record count in step 1");
        driver.findElement(By.id("next")).click();

        // Step 2: models made for this table first, then the published cards.
        WebElement recommended = visible(By.id("recommended"));
        List<String> values = recommended.findElements(By.cssSelector("input[type=radio]")).stream()
                .map(r -> r.getAttribute("value")).toList();
        assertEquals(List.of("recommended:gbdt", "recommended:mlp", "recommended:linear"), values,
                "the recommended models, best first");
        WebElement mlp = recommended.findElement(By.xpath(".//input[@value='recommended:mlp']/ancestor::label"));
        assertContains(mlp.getText(), "mlp", "the neural network's architecture tag");
        assertContains(mlp.getText(), "classification", "the neural network's task tag");
        assertTrue(mlp.findElement(By.cssSelector(".muted")).getText().length() > 20,
                "the neural network is explained in plain words: " + mlp.getText());
        String page = driver.findElement(By.id("wizard")).getText();
        assertTrue(page.indexOf("Recommended for this dataset") >= 0
                        && page.indexOf("Recommended for this dataset") < page.indexOf("Model cards: yours and published ones"),
                "the recommendations come before the published cards: " + page);
        screenshot("builder-recommended");
        String step2 = currentPath();

        mlp.findElement(By.cssSelector("input")).click();
        driver.findElement(By.id("next")).click();
        // Step 3: the recommended network's settings, with their defaults and ranges.
        WebElement epochs = visible(By.id("hp-epochs"));
        assertTrue(!epochs.getAttribute("value").isBlank(), "epochs have a default");
        WebElement learningRate = driver.findElement(By.id("hp-learningRate"));
        assertTrue(!learningRate.getAttribute("value").isBlank(), "the learning rate has a default");
        assertTrue(driver.findElement(By.cssSelector(".steps li.current")).getText().startsWith("3."),
                "step 3 is the current one");
        assertTrue(currentPath().contains("modelId=recommended%3Amlp") || currentPath().contains("modelId=recommended:mlp"),
                "the choice travels in the URL: " + currentPath());
        screenshot("builder-recommended-settings");

        // Step 2 again, in Korean (the wizard's URL carries every choice).
        open(step2 + (step2.contains("?") ? "&" : "?") + "lang=ko");
        assertEquals("ko", driver.findElement(By.tagName("html")).getAttribute("lang"));
        String korean = textOf(By.id("wizard"));
        assertContains(korean, "이 데이터셋에 추천하는 모델", "the Korean heading of the recommendations");
        assertContains(driver.findElement(By.id("recommended")).getText(), "신경망", "the Korean name of the neural network");
        screenshot("builder-recommended-korean");
    }
}
