package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * "Try it" on a model page: a member publishes the Fashion-MNIST example card with weights through the publish form,
 * then drops a real Fashion-MNIST test image on the model's page and sees the prediction with its class bars and the
 * latency; a text file named .png gets the reason in the page. Another member tries it in Korean. The same for the
 * example cnn card, whose answer (from the demo worker's DJL engine) is held to this test's own forward pass.
 */
class ModelTryItTest extends PlazaBrowserTest {

    static final Path FASHION = Paths.get("/usr/share/datasets/fashion-mnist");
    static final Path EXAMPLE_CARD = Paths.get("..", "src", "main", "resources", "model-card", "examples", "fashion-mnist-mlp.json");
    static final Path CNN_CARD = EXAMPLE_CARD.resolveSibling("fashion-mnist-cnn.json");
    static final List<String> CLASSES = List.of("t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt",
            "sneaker", "bag", "ankle boot");


    @Test
    void publishWithWeightsThenTryAnImageAndABadFile() throws IOException {
        // Named and described without "Fashion": SearchTest counts the listings that match "fash".
        String name = "UI clothing MLP " + System.currentTimeMillis();
        String card = Files.readString(EXAMPLE_CARD, StandardCharsets.UTF_8)
                .replace("\"Fashion-MNIST MLP\"", "\"" + name + "\"")
                .replaceFirst("\"description\":\\s*\"[^\"]*\"",
                        "\"description\": \"The example card's network with seeded random weights, published by a browser test.\"")
                .replaceFirst("\"priceAic\":\\s*\"[^\"]*\"", "\"priceAic\": \"0\"");
        assertTrue(card.contains(name) && card.contains("\"priceAic\": \"0\"") && !card.toLowerCase().contains("fash"), card);
        Path weights = tempFile("plaza-ui-clothing-", ".safetensors");
        writeWeights(weights, 20240611L);
        Path image = tempFile("plaza-ui-clothing-", ".png");
        int label = writeTestImage(image, 0);
        Path notAnImage = tempFile("plaza-ui-not-an-image-", ".png");
        Files.writeString(notAnImage, "id,prediction\nr0,cat\nThis is text, not a picture.\n", StandardCharsets.UTF_8);

        registerAndSignIn("tryit");
        open("/models/new");
        WebElement cardJson = visible(By.id("cardJson"));
        // The card as a whole (typing 1.5 kB of JSON key by key is slow and the textarea would auto-indent nothing).
        ((JavascriptExecutor) driver).executeScript("arguments[0].value = arguments[1]", cardJson, card);
        type(By.name("tags"), "clothing, ui-test");
        driver.findElement(By.id("weights")).sendKeys(weights.toAbsolutePath().toString());
        screenshot("tryit-publish-filled");
        driver.findElement(By.cssSelector("#model-form button[type=submit]")).click();
        waitForPath("/models/\\d+");
        String modelPath = currentPath();
        assertEquals(name, textOf(By.cssSelector("main h1")).trim());

        // The owner tries it with a real test image.
        WebElement section = visible(By.id("try-it"));
        assertContains(section.getText(), "28 x 28", "the image field says the size it is resized to");
        driver.findElement(By.id("try-image")).sendKeys(image.toAbsolutePath().toString());
        driver.findElement(By.id("try-submit")).click();
        String predicted = textOf(By.id("try-label")).trim();
        assertTrue(CLASSES.contains(predicted), "the prediction is one of the card's classes: " + predicted);
        List<WebElement> bars = driver.findElements(By.cssSelector("#try-classes .bar"));
        assertTrue(!bars.isEmpty() && bars.size() <= CLASSES.size(), "class bars: " + bars.size());
        assertEquals(predicted, bars.get(0).findElement(By.cssSelector(".bar-label")).getText().trim(),
                "the top bar is the predicted class");
        double total = 0;
        double previous = Double.MAX_VALUE;
        for (WebElement bar : bars) {
            String percent = bar.findElement(By.cssSelector(".muted")).getText().trim();
            assertTrue(percent.matches("\\d{1,3}\\.\\d %"), "a percentage: " + percent);
            double p = Double.parseDouble(percent.replace(" %", ""));
            assertTrue(p <= previous, "bars are sorted by probability: " + percent);
            previous = p;
            total += p;
            assertTrue(bar.findElement(By.cssSelector(".bar-fill")).getSize().getWidth() >= 0);
        }
        assertTrue(total <= 100.5, "probabilities add up to at most 100 %: " + total);
        // ops/test runs the demo worker, which serves (as ops/run's does): the first call loads the model there.
        String latency = driver.findElement(By.id("try-latency")).getText();
        assertTrue(latency.matches("Answered in [\\d.,]+ ms by worker #\\d+ of the serving fleet, which loaded the model first.*"),
                "served by the fleet, after a cold start: " + latency);
        assertTrue(driver.findElements(By.id("try-error")).isEmpty(), "no error beside a prediction");
        System.out.println("Try it: true class " + CLASSES.get(label) + ", random weights predicted " + predicted);
        screenshot("tryit-prediction");

        // A text file named .png: the reason, in the page, and no prediction.
        driver.findElement(By.id("try-image")).sendKeys(notAnImage.toAbsolutePath().toString());
        driver.findElement(By.id("try-submit")).click();
        assertContains(textOf(By.id("try-error")), "not an image the plaza can read", "the refusal");
        assertTrue(driver.findElements(By.id("try-label")).isEmpty(), "no prediction for a text file");
        assertEquals(modelPath, currentPath(), "the browser stays on the model page");
        screenshot("tryit-not-an-image");

        // Another member (free calls on a published model), in Korean.
        driver.manage().deleteAllCookies();
        registerAndSignIn("trykorean");
        open(modelPath + "?lang=ko");
        assertEquals("ko", driver.findElement(By.tagName("html")).getAttribute("lang"));
        assertContains(textOf(By.cssSelector("#try-it h2")), "직접 써 보기", "the Korean section title");
        driver.findElement(By.id("try-image")).sendKeys(image.toAbsolutePath().toString());
        driver.findElement(By.id("try-submit")).click();
        assertEquals(predicted, textOf(By.id("try-label")).trim(), "the same image, the same prediction");
        String koreanLatency = driver.findElement(By.id("try-latency")).getText();
        assertTrue(koreanLatency.matches("서빙 워커 #\\d+이\\(가\\) [\\d.,]+ ms 만에 답했습니다\\."),
                "the model is loaded by now: no cold start, in Korean: " + koreanLatency);
        screenshot("tryit-prediction-korean");
        driver.findElement(By.id("try-image")).sendKeys(notAnImage.toAbsolutePath().toString());
        driver.findElement(By.id("try-submit")).click();
        wait.until(d -> !d.findElements(By.id("try-error")).isEmpty());
        assertContains(textOf(By.id("try-error")), "읽을 수 있는 이미지", "the Korean refusal");
        screenshot("tryit-not-an-image-korean");
    }

    @Test
    void aCnnAnswersAPictureThroughTheServingFleet() throws IOException {
        String name = "UI clothing CNN " + System.currentTimeMillis();
        String card = Files.readString(CNN_CARD, StandardCharsets.UTF_8)
                .replace("\"Fashion-MNIST CNN\"", "\"" + name + "\"")
                .replaceFirst("\"description\":\\s*\"[^\"]*\"",
                        "\"description\": \"The example cnn card's network with seeded random weights, published by a browser test.\"");
        assertTrue(card.contains(name) && card.contains("\"template\": \"cnn\"") && !card.toLowerCase().contains("fash"), card);
        ClothingCnn network = ClothingCnn.random(20261207L);
        Path weights = tempFile("plaza-ui-cnn-", ".safetensors");
        writeSafetensors(weights, network.tensors, network.shapes);
        Path image = tempFile("plaza-ui-cnn-", ".png");
        int label = writeTestImage(image, 1);
        double[] expected = network.probabilities(greyLevels(image));
        int top = argmax(expected);
        String expectedClass = CLASSES.get(top);

        registerAndSignIn("trycnn");
        open("/models/new");
        ((JavascriptExecutor) driver).executeScript("arguments[0].value = arguments[1]", visible(By.id("cardJson")), card);
        type(By.name("tags"), "clothing, ui-test");
        driver.findElement(By.id("weights")).sendKeys(weights.toAbsolutePath().toString());
        driver.findElement(By.cssSelector("#model-form button[type=submit]")).click();
        waitForPath("/models/\\d+");
        String modelPath = currentPath();
        assertEquals(name, textOf(By.cssSelector("main h1")).trim());
        assertContains(textOf(By.id("conv-blocks")), "conv 32 → 64", "the page names the conv blocks");

        assertContains(textOf(By.id("try-it")), "28 x 28", "the image field says the size it is resized to");
        driver.findElement(By.id("try-image")).sendKeys(image.toAbsolutePath().toString());
        driver.findElement(By.id("try-submit")).click();
        // A cold start loads DJL's conv network on the worker: longer than the page's usual wait on a loaded machine.
        String predicted = waitUpTo(Duration.ofSeconds(60)).until(ExpectedConditions.visibilityOfElementLocated(By.id("try-label"))).getText().trim();
        assertEquals(expectedClass, predicted, "the class these weights give the picture (this test's own forward pass)");
        WebElement topBar = driver.findElement(By.cssSelector("#try-classes .bar"));
        assertEquals(expectedClass, topBar.findElement(By.cssSelector(".bar-label")).getText().trim());
        double shown = Double.parseDouble(topBar.findElement(By.cssSelector(".muted")).getText().replace(" %", "").trim());
        assertEquals(100 * expected[top], shown, 0.051, "the top class's probability, to the tenth of a percent shown");
        String latency = driver.findElement(By.id("try-latency")).getText();
        assertTrue(latency.matches("Answered in [\\d.,]+ ms by worker #\\d+ of the serving fleet, which loaded the model first.*"),
                "served by the fleet, after a cold start: " + latency);
        System.out.println("Try it (cnn): true class " + CLASSES.get(label) + ", seeded weights predicted " + predicted
                + String.format(" at %.1f %%", 100 * expected[top]));
        screenshot("tryit-cnn-prediction");

        driver.manage().deleteAllCookies();
        registerAndSignIn("trycnnko");
        open(modelPath + "?lang=ko");
        assertContains(textOf(By.cssSelector("#try-it h2")), "직접 써 보기", "the Korean section title");
        driver.findElement(By.id("try-image")).sendKeys(image.toAbsolutePath().toString());
        driver.findElement(By.id("try-submit")).click();
        assertEquals(expectedClass, textOf(By.id("try-label")).trim(), "the same picture, the same class");
        String koreanLatency = driver.findElement(By.id("try-latency")).getText();
        assertTrue(koreanLatency.matches("서빙 워커 #\\d+이\\(가\\) [\\d.,]+ ms 만에 답했습니다\\."),
                "the worker holds the model by now: no cold start, in Korean: " + koreanLatency);
        screenshot("tryit-cnn-prediction-korean");
    }

    /** A grey PNG's levels scaled to [0, 1], row by row: the plaza's encoding of a 28x28 picture for these cards. */
    private static float[] greyLevels(Path png) throws IOException {
        BufferedImage image = ImageIO.read(png.toFile());
        float[] levels = new float[image.getWidth() * image.getHeight()];
        for (int y = 0, p = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++, p++) {
                levels[p] = (float) (image.getRaster().getSample(x, y, 0) * (1 / 255.0));
            }
        }
        return levels;
    }

    private static int argmax(double[] values) {
        int best = 0;
        for (int k = 1; k < values.length; k++) {
            if (values[k] > values[best]) {
                best = k;
            }
        }
        return best;
    }

    /**
     * The card's network (784 -> 256 -> 128 -> 10) as safetensors: F32 weights [out, in] and biases [out] from a
     * seeded generator, He-scaled so that the outputs differ between classes.
     */
    static void writeWeights(Path file, long seed) throws IOException {
        int[][] layers = {{256, 784}, {128, 256}, {10, 128}};
        Random random = new Random(seed);
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (int i = 0; i < layers.length; i++) {
            int out = layers[i][0], in = layers[i][1];
            float[] w = new float[out * in];
            double scale = Math.sqrt(2.0 / in);
            for (int k = 0; k < w.length; k++) {
                w[k] = (float) (random.nextGaussian() * scale);
            }
            float[] b = new float[out];
            for (int k = 0; k < b.length; k++) {
                b[k] = (float) (random.nextGaussian() * 0.01);
            }
            tensors.put("layers." + i + ".weight", w);
            shapes.put("layers." + i + ".weight", new int[] {out, in});
            tensors.put("layers." + i + ".bias", b);
            shapes.put("layers." + i + ".bias", new int[] {out});
        }
        writeSafetensors(file, tensors, shapes);
    }

    /** F32 tensors as a safetensors file, in the map's order. */
    static void writeSafetensors(Path file, Map<String, float[]> tensors, Map<String, int[]> shapes) throws IOException {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (var e : tensors.entrySet()) {
            long end = offset + 4L * e.getValue().length;
            int[] shape = shapes.get(e.getKey());
            header.append(header.length() > 1 ? "," : "").append('"').append(e.getKey())
                    .append("\":{\"dtype\":\"F32\",\"shape\":[").append(shape[0]);
            for (int k = 1; k < shape.length; k++) {
                header.append(',').append(shape[k]);
            }
            header.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        header.append('}');
        while ((header.length() + 8) % 8 != 0) {
            header.append(' ');
        }
        byte[] json = header.toString().getBytes(StandardCharsets.US_ASCII);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).flip();
            channel.write(length);
            channel.write(ByteBuffer.wrap(json));
            for (float[] values : tensors.values()) {
                ByteBuffer data = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
                data.asFloatBuffer().put(values);
                while (data.hasRemaining()) {
                    channel.write(data);
                }
            }
        }
    }

    /** Writes test image {@code index} of Fashion-MNIST (t10k) as a greyscale PNG; returns its label. */
    static int writeTestImage(Path png, int index) throws IOException {
        BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        try (DataInputStream in = new DataInputStream(gunzip(FASHION.resolve("t10k-images-idx3-ubyte.gz")))) {
            assertEquals(2051, in.readInt(), "IDX images magic");
            in.readInt(); // count
            assertEquals(28, in.readInt());
            assertEquals(28, in.readInt());
            in.skipNBytes(784L * index);
            byte[] pixels = in.readNBytes(784);
            image.getRaster().setDataElements(0, 0, 28, 28, pixels);
        }
        assertTrue(ImageIO.write(image, "png", png.toFile()), "a PNG writer");
        try (DataInputStream in = new DataInputStream(gunzip(FASHION.resolve("t10k-labels-idx1-ubyte.gz")))) {
            assertEquals(2049, in.readInt(), "IDX labels magic");
            in.readInt();
            in.skipNBytes(index);
            return in.readUnsignedByte();
        }
    }

    private static InputStream gunzip(Path file) throws IOException {
        return new GZIPInputStream(Files.newInputStream(file), 1 << 16);
    }
}
