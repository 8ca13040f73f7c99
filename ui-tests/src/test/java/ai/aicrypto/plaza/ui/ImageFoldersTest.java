package ai.aicrypto.plaza.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * A member has photos, not IDX files: a ZIP with a folder per class (Fashion-MNIST test items, enlarged to 56x56 colour
 * PNGs as a camera would give them). Uploaded with a chosen size, the dataset page shows the pictures with their folder
 * names, and the Easy AI Builder recommends a convolutional network for it first.
 */
class ImageFoldersTest extends PlazaBrowserTest {

    /** Fashion-MNIST's first six classes, as a user would name their folders. */
    static final List<String> CLASSES = List.of("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal");
    static final int PER_CLASS = 8;

    @Test
    void aZipOfClassFoldersBecomesAnImageDatasetWithItsClassNamesAndARecommendedCnn() throws IOException {
        registerAndSignIn("folders");
        Path zip = tempFile("plaza-folders-", ".zip");
        Path png = tempFile("plaza-item-", ".png");
        int[] written = new int[CLASSES.size()];
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (int index = 0; written(written) < CLASSES.size() * PER_CLASS; index++) {
                int label = ModelTryItTest.writeTestImage(png, index);
                if (label >= CLASSES.size() || written[label] == PER_CLASS) {
                    continue;
                }
                out.putNextEntry(new ZipEntry("my-clothes/" + CLASSES.get(label) + "/item-" + index + ".png"));
                writeEnlargedColour(png, out);
                out.closeEntry();
                written[label]++;
            }
        }
        String title = "UI clothes photos " + System.currentTimeMillis();
        open("/datasets/new");
        type(By.name("listing.title"), title);
        type(By.name("listing.priceAic"), "0");
        type(By.name("imageSize"), "28");
        driver.findElement(By.id("file")).sendKeys(zip.toAbsolutePath().toString());
        driver.findElement(By.id("upload-submit")).click();
        waitForPath("/datasets/\\d+");

        assertEquals(String.valueOf(CLASSES.size() * PER_CLASS), textOf(By.id("row-count")).trim());
        List<WebElement> pictures = driver.findElements(By.cssSelector("#preview figure"));
        assertTrue(!pictures.isEmpty() && pictures.size() <= 20, "at most 20 sampled pictures: " + pictures.size());
        for (WebElement picture : pictures) {
            assertTrue(picture.findElement(By.tagName("img")).getAttribute("src").startsWith("data:image/png"), "a picture");
            String caption = picture.findElement(By.tagName("figcaption")).getText();
            assertTrue(CLASSES.stream().anyMatch(caption::startsWith), "captioned with its folder's name: " + caption);
        }
        screenshot("image-folders-dataset");

        open("/builder");
        visible(By.xpath("//label[contains(., '" + title + "')]/input")).click();
        driver.findElement(By.id("next")).click();
        List<String> recommended = visible(By.id("recommended")).findElements(By.cssSelector("input[type=radio]")).stream()
                .map(r -> r.getAttribute("value")).toList();
        assertEquals("recommended:cnn", recommended.get(0), "a convolutional network first: " + recommended);
        screenshot("image-folders-builder");
    }

    private static int written(int[] perClass) {
        int sum = 0;
        for (int n : perClass) {
            sum += n;
        }
        return sum;
    }

    /** The grey 28x28 item drawn at 56x56 as an RGB picture, the kind of file a camera or a phone gives. */
    private static void writeEnlargedColour(Path greyPng, OutputStream out) throws IOException {
        BufferedImage grey = ImageIO.read(greyPng.toFile());
        BufferedImage colour = new BufferedImage(56, 56, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = colour.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(grey, 0, 0, 56, 56, null);
        g.dispose();
        ImageIO.write(colour, "png", out);
    }
}
