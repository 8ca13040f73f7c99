package ai.aicrypto.plaza.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.dataset.format.Preprocessing;
import ai.aicrypto.plaza.dataset.internal.TestImports;
import ai.aicrypto.plaza.platform.DataSizes;
import ai.aicrypto.plaza.support.ImageFolderZips;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.request.MockMultipartHttpServletRequestBuilder;

/** Small limits, so that the upload bombs below stay small: the limits are what is tested, not the defaults. */
@TestPropertySource(properties = {"plaza.dataset.max-decompressed-size=1MB", "plaza.dataset.max-columns=100",
        "plaza.dataset.max-preprocessed-size=1MB", "plaza.dataset.storage-quota=1MB"})
class DatasetUploadTest extends IntegrationTest {

    @Autowired
    TestUsers users;
    @Autowired
    Datasets datasetsApi;
    @Autowired
    TestImports imports;

    AccountPrincipal owner;

    @BeforeEach
    void signIn() {
        owner = users.member();
    }

    @Test
    void csvUploadIsProfiledPreviewedAndStoredEncrypted() throws Exception {
        byte[] csv = flowersCsv(120);
        String location = mvc.perform(upload("Flowers " + System.nanoTime(), "species", file("flowers.csv", csv)))
                .andExpect(status().is3xxRedirection())
                .andReturn().getResponse().getRedirectedUrl();
        long id = imports.awaitDataset(location);

        String page = mvc.perform(get("/datasets/" + id)).andExpect(status().isOk())
                .andReturn().getResponse().getContentAsString();
        assertThat(page).contains("id=\"row-count\">120<").contains("species").contains("setosa");
        int previewRows = page.split("<tr>", -1).length; // header rows of both tables plus preview rows
        assertThat(page.substring(page.indexOf("id=\"preview\""))).containsPattern("<td class=\"muted\">\\d+</td>");
        assertThat(previewRows).isLessThan(2 + 5 + 1 + 20 + 2);

        var blobs = jdbc.sql("SELECT role, blob_key FROM dataset_blobs WHERE dataset_id = ?").param(id)
                .query((rs, n) -> rs.getString("role") + ":" + rs.getString("blob_key")).list();
        assertThat(blobs).anyMatch(b -> b.startsWith("RAW:")).anyMatch(b -> b.startsWith("SHARD:"));
        // The stored raw blob is ciphertext: the plaintext header does not appear in it.
        String rawKey = blobs.stream().filter(b -> b.startsWith("RAW:")).findFirst().orElseThrow().substring(4);
        byte[] stored = Files.readAllBytes(blobPath(rawKey));
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("sepal_length");

        var streaming = mvc.perform(get("/datasets/" + id + "/download").with(user(owner))).andReturn();
        byte[] downloaded = mvc.perform(asyncDispatch(streaming))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsByteArray();
        assertThat(downloaded).isEqualTo(csv);
    }

    @Test
    void idxPairIsAcceptedGzippedAndShowsImages() throws Exception {
        String location = mvc.perform(upload("Digits " + System.nanoTime(), "", file("images-idx3-ubyte.gz", gzip(idxImages(30, 4, 4))))
                        .file(new MockMultipartFile("labelsFile", "labels-idx1-ubyte", "application/octet-stream", idxLabels(30))))
                .andExpect(status().is3xxRedirection()).andReturn().getResponse().getRedirectedUrl();
        assertThat(datasetsApi.preprocessing(imports.awaitDataset(location)).image()).isNotNull();
    }

    @Test
    void idxClassesTakeTheNamesTheUploaderGivesThemOnThePageAndInWhatModelsLearn() throws Exception {
        String title = "Named digits " + System.nanoTime();
        String location = mvc.perform(upload(title, "", file("images-idx3-ubyte", idxImages(30, 4, 4)))
                        .file(new MockMultipartFile("labelsFile", "labels-idx1-ubyte", "application/octet-stream", idxLabels(30)))
                        .param("classNames", " circle, square ,triangle"))
                .andExpect(status().is3xxRedirection()).andReturn().getResponse().getRedirectedUrl();
        long id = imports.awaitDataset(location);
        assertThat(datasetsApi.preprocessing(id).label().classes()).containsExactly("circle", "square", "triangle");
        assertThat(mvc.perform(get("/datasets/" + id).with(user(owner))).andReturn().getResponse().getContentAsString())
                .contains(">square<").contains(">triangle<");

        long listings = count("listings");
        rejected(upload("Too few names", "", file("images-idx3-ubyte", idxImages(30, 4, 4)))
                .file(new MockMultipartFile("labelsFile", "labels-idx1-ubyte", "application/octet-stream", idxLabels(30)))
                .param("classNames", "circle, square"), "The labels go up to 2, so give 3 class names");
        rejected(upload("Twice", "", file("images-idx3-ubyte", idxImages(30, 4, 4)))
                .file(new MockMultipartFile("labelsFile", "labels-idx1-ubyte", "application/octet-stream", idxLabels(30)))
                .param("classNames", "a, a, b").header("Accept-Language", "ko"), "클래스 이름은 서로 달라야");
        rejected(upload("CSV", "species", file("flowers.csv", flowersCsv(10))).param("classNames", "x, y"),
                "class names are for IDX files");
        assertThat(count("listings")).isEqualTo(listings);
    }

    @Test
    void badInputIsExplainedAndLeavesNothingStored() throws Exception {
        long listings = count("listings");
        long datasets = count("datasets");
        long datasetBlobs = count("dataset_blobs");
        long blobFiles = blobFiles();

        rejected(upload("Empty", "species", file("empty.csv", new byte[0])), "is empty");
        rejected(upload("Binary", "species", file("photo.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 1})), "");
        rejected(upload("Ragged", "species", file("ragged.csv", "a,b,species\n1,2,x\n3,4\n".getBytes(StandardCharsets.UTF_8))),
                "Line 3");
        rejected(upload("Latin-1", "species", file("latin1.csv", "a,species\n1,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1))),
                "Line 2");
        rejected(upload("No label", "colour", file("flowers.csv", flowersCsv(10))), "colour");
        rejected(upload("Traversal", "species", file("../../etc/passwd.csv", flowersCsv(10))), "passwd");
        rejected(upload("Mismatch", "", file("images-idx3-ubyte", idxImages(10, 2, 2)))
                .file(new MockMultipartFile("labelsFile", "labels-idx1-ubyte", "application/octet-stream", idxLabels(9))), "10");
        rejected(upload("", "species", file("flowers.csv", flowersCsv(10))), "title");
        rejected(upload("Price", "species", file("flowers.csv", flowersCsv(10)), "-3"), "negative");

        assertThat(count("listings")).isEqualTo(listings);
        assertThat(count("datasets")).isEqualTo(datasets);
        assertThat(count("dataset_blobs")).isEqualTo(datasetBlobs);
        assertThat(blobFiles()).isEqualTo(blobFiles);
        assertThat(Files.list(dataDir().resolve("work")).filter(p -> !Files.isDirectory(p)).toList()).isEmpty();
    }

    @Test
    void uploadBombsAreRefusedBeforeTheWorkAndLeaveNothingStored() throws Exception {
        long listings = count("listings");
        long datasets = count("datasets");
        long datasetBlobs = count("dataset_blobs");
        long blobFiles = blobFiles();

        // a gzip of a few KB that decompresses to 4 MB, past the 1 MB cap
        byte[] bomb = gzip(("x,y\n" + "0,1\n".repeat(1 << 20)).getBytes(StandardCharsets.UTF_8));
        assertThat(bomb.length).isLessThan(64 * 1024);
        rejected(upload("Gzip bomb", "y", file("bomb.csv.gz", bomb)), "Decompressed, the file is larger than the limit of 1.0 MB");

        // 101 columns, one more than the cap
        var wide = new StringBuilder();
        for (int i = 0; i <= 100; i++) {
            wide.append(i == 0 ? "" : ",").append("c").append(i);
        }
        wide.append('\n').append("1,".repeat(100)).append("1\n");
        rejected(upload("Wide", "c1", file("wide.csv", wide.toString().getBytes(StandardCharsets.UTF_8))),
                "The header row has 101 columns; at most 100 are accepted.");

        // a 16-byte header announcing 10 M images of 1024 x 1024 pixels (40 TB of floats): refused before a pixel is read
        byte[] header = ByteBuffer.allocate(16).putInt(0x00000803).putInt(10_000_000).putInt(1024).putInt(1024).array();
        byte[] labels = ByteBuffer.allocate(8).putInt(0x00000801).putInt(10_000_000).array();
        rejected(upload("IDX bomb", "", file("images-idx3-ubyte", header))
                .file(new MockMultipartFile("labelsFile", "labels-idx1-ubyte", "application/octet-stream", labels)),
                "the dataset would take 38.1 TB, more than the limit of 1.0 MB");

        String korean = mvc.perform(upload("Wide", "c1", file("wide.csv", wide.toString().getBytes(StandardCharsets.UTF_8)))
                        .locale(Locale.KOREAN).header("Accept-Language", "ko"))
                .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
        assertThat(korean).contains("헤더의 열이 101개입니다");

        assertThat(count("listings")).isEqualTo(listings);
        assertThat(count("datasets")).isEqualTo(datasets);
        assertThat(count("dataset_blobs")).isEqualTo(datasetBlobs);
        assertThat(blobFiles()).isEqualTo(blobFiles);
        Path multipart = dataDir().resolve("work").resolve("multipart"); // where the container spools uploads
        try (var work = Files.list(dataDir().resolve("work"))) {
            assertThat(work.filter(p -> !p.equals(multipart)).toList()).as("no spooled file or scratch directory left").isEmpty();
        }
        try (var spooled = Files.list(multipart)) {
            assertThat(spooled.toList()).as("no upload left in the container's spool").isEmpty();
        }
    }

    @Test
    void storageQuotaRefusesTheUploadThatWouldExceedIt() throws Exception {
        // 8,000 rows: about 190 KB of CSV and 190 KB of shards, so two fit in 1 MB and a third does not
        byte[] csv = flowersCsv(8000);
        for (int i = 0; i < 2; i++) {
            imports.awaitDataset(mvc.perform(upload("Quota " + i + " " + System.nanoTime(), "species", file("flowers.csv", csv)))
                    .andExpect(status().is3xxRedirection()).andReturn().getResponse().getRedirectedUrl());
        }
        long listings = count("listings");
        long blobFiles = blobFiles();
        String used = DataSizes.humanReadable(jdbc.sql("""
                        SELECT sum(b.bytes) FROM dataset_blobs b JOIN listings l ON l.id = b.dataset_id WHERE l.owner_id = ?""")
                .param(owner.id()).query(Long.class).single());
        rejected(upload("Quota 3", "species", file("flowers.csv", csv)), "of the 1.0 MB each member may use");
        assertThat(refusal(upload("Quota 3", "species", file("flowers.csv", csv)))).as("how much is used")
                .contains("already take " + used);
        assertThat(count("listings")).isEqualTo(listings);
        assertThat(blobFiles()).isEqualTo(blobFiles);

        // another member has a quota of their own
        owner = users.member();
        imports.awaitDataset(mvc.perform(upload("Quota other " + System.nanoTime(), "species", file("flowers.csv", csv)))
                .andExpect(status().is3xxRedirection()).andReturn().getResponse().getRedirectedUrl());
    }

    @Test
    void messagesFollowTheUsersLanguage() throws Exception {
        String korean = refusal(upload("Ragged", "species", file("ragged.csv", "a,b,species\n1,2,x\n3,4\n".getBytes(StandardCharsets.UTF_8)))
                .locale(Locale.KOREAN).header("Accept-Language", "ko"));
        assertThat(korean).contains("3").containsPattern("[\\uAC00-\\uD7A3]");
    }

    @Test
    void tamperedCiphertextIsNeverServed() throws Exception {
        String location = mvc.perform(upload("Tamper " + System.nanoTime(), "species", file("flowers.csv", flowersCsv(20))))
                .andExpect(status().is3xxRedirection()).andReturn().getResponse().getRedirectedUrl();
        long id = imports.awaitDataset(location);
        String rawKey = jdbc.sql("SELECT blob_key FROM dataset_blobs WHERE dataset_id = ? AND role = 'RAW'").param(id)
                .query(String.class).single();
        try (var file = new RandomAccessFile(blobPath(rawKey).toFile(), "rw")) {
            file.seek(file.length() - 20);
            int b = file.read();
            file.seek(file.length() - 20);
            file.write(b ^ 0x01);
        }
        mvc.perform(get("/datasets/" + id + "/download").with(user(owner)))
                .andExpect(status().isInternalServerError())
                .andExpect(content().string(org.hamcrest.Matchers.containsString("integrity")));
    }

    @Test
    void htmxUploadIsToldWhereToGo() throws Exception {
        mvc.perform(upload("Htmx " + System.nanoTime(), "species", file("flowers.csv", flowersCsv(15))).header("HX-Request", "true"))
                .andExpect(status().isOk())
                .andExpect(header().string("HX-Redirect", org.hamcrest.Matchers.matchesPattern("/datasets/imports/\\d+")));
    }

    /**
     * Real Fashion-MNIST items zipped as PNG files in class folders, as a user would: the folder names become the
     * classes on the page and in what models learn, and the preview shows pictures; coloured shapes stay in colour at
     * the size chosen on the form.
     */
    @Test
    void aZipOfImageFoldersIsPreviewedWithItsClassNames(@TempDir Path tmp) throws Exception {
        byte[] fashion = Files.readAllBytes(ImageFolderZips.fashion(tmp.resolve("fashion.zip"), 200));
        String location = mvc.perform(upload("Fashion folders " + System.nanoTime(), "", file("fashion.zip", fashion)))
                .andExpect(status().is3xxRedirection()).andReturn().getResponse().getRedirectedUrl();
        long id = imports.awaitDataset(location);
        Preprocessing encoding = datasetsApi.preprocessing(id);
        assertThat(encoding.label().classes()).containsExactlyElementsOf(ImageFolderZips.FASHION_CLASSES.stream().sorted().toList());
        assertThat(encoding.image()).isEqualTo(new Preprocessing.Image(28, 28, 1, 1 / 255.0));
        String page = mvc.perform(get("/datasets/" + id).with(user(owner))).andReturn().getResponse().getContentAsString();
        String preview = page.substring(page.indexOf("id=\"preview\""));
        assertThat(preview.split("<img src=\"data:image/png;base64,", -1).length - 1).isEqualTo(20);
        // Which 20 are drawn depends on the file (the ZIP holds its entries' times): each is captioned with its folder's name.
        java.util.List<String> captions = java.util.regex.Pattern.compile("<figcaption><span>([^<]*)</span>").matcher(preview)
                .results().map(m -> m.group(1)).toList();
        assertThat(captions).hasSize(20).allMatch(ImageFolderZips.FASHION_CLASSES::contains);
        assertThat(page).contains("id=\"row-count\">200<").contains("28 × 28");
        assertThat(page.substring(page.indexOf("id=\"histogram\""))).contains("Trouser").contains("Sneaker");
        var download = mvc.perform(get("/datasets/" + id + "/download").with(user(owner))).andReturn();
        assertThat(mvc.perform(asyncDispatch(download)).andReturn().getResponse().getContentAsByteArray()).isEqualTo(fashion);

        byte[] shapes = Files.readAllBytes(ImageFolderZips.shapes(tmp.resolve("shapes.zip"), 10, 40, 5));
        String colour = mvc.perform(upload("Shapes " + System.nanoTime(), "", file("shapes.zip", shapes))
                        .param("imageSize", "16").param("imageColour", "rgb"))
                .andExpect(status().is3xxRedirection()).andReturn().getResponse().getRedirectedUrl();
        long coloured = imports.awaitDataset(colour);
        assertThat(datasetsApi.preprocessing(coloured).image()).isEqualTo(new Preprocessing.Image(16, 16, 3, 1 / 255.0));
        assertThat(mvc.perform(get("/datasets/" + coloured).with(user(owner))).andReturn().getResponse().getContentAsString())
                .contains("3 × 16 × 16").contains(">green<");
    }

    @Test
    void hostileZipsAreExplainedInTheUsersLanguageAndLeaveNothingStored(@TempDir Path tmp) throws Exception {
        long listings = count("listings");
        long datasets = count("datasets");
        long datasetBlobs = count("dataset_blobs");
        long blobFiles = blobFiles();

        Map<String, byte[]> trick = ImageFolderZips.twoClasses();
        trick.put("../../etc/cron.d/evil.png", trick.get("red/0.png"));
        rejected(upload("Trick", "", zip(tmp, trick)), "../../etc/cron.d/evil.png");
        Map<String, byte[]> broken = ImageFolderZips.twoClasses();
        broken.put("blue/scan 7.png", new byte[]{(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 1, 2, 3});
        rejected(upload("Broken", "", zip(tmp, broken)), "blue/scan 7.png&quot; is damaged");
        rejected(upload("Broken", "", zip(tmp, broken)).header("Accept-Language", "ko"), "blue/scan 7.png&quot;이(가) 손상");
        Map<String, byte[]> one = ImageFolderZips.twoClasses();
        one.keySet().removeIf(name -> name.startsWith("red/"));
        rejected(upload("One", "", zip(tmp, one)), "All images are in one class folder, &quot;blue&quot;");
        Map<String, byte[]> text = ImageFolderZips.twoClasses();
        text.put("red/readme.txt", "hello".getBytes(StandardCharsets.UTF_8));
        rejected(upload("Text", "", zip(tmp, text)).header("Accept-Language", "ko"), "red/readme.txt&quot;은(는) PNG나 JPEG 이미지가 아닙니다");
        Map<String, byte[]> bomb = ImageFolderZips.twoClasses();
        bomb.put("red/zeros.png", new byte[8 << 20]);
        rejected(upload("Bomb", "", zip(tmp, bomb)), "Decompressed, the file is larger than the limit");
        rejected(upload("Size", "", zip(tmp, ImageFolderZips.twoClasses())).param("imageSize", "4096"), "from 8 to 256");
        rejected(upload("Labels", "species", zip(tmp, ImageFolderZips.twoClasses())), "names its classes by its folders");

        assertThat(count("listings")).isEqualTo(listings);
        assertThat(count("datasets")).isEqualTo(datasets);
        assertThat(count("dataset_blobs")).isEqualTo(datasetBlobs);
        assertThat(blobFiles()).isEqualTo(blobFiles);
        assertThat(Files.list(dataDir().resolve("work")).filter(p -> !Files.isDirectory(p)).toList()).isEmpty();
    }

    private static MockMultipartFile zip(Path tmp, Map<String, byte[]> entries) throws IOException {
        return file("photos.zip", Files.readAllBytes(ImageFolderZips.write(Files.createTempFile(tmp, "photos", ".zip"), entries)));
    }

    private void rejected(MockMultipartHttpServletRequestBuilder request, String messagePart) throws Exception {
        assertThat(refusal(request)).contains(messagePart);
    }

    private String refusal(MockMultipartHttpServletRequestBuilder request) throws Exception {
        return imports.refusal(mvc, request, owner);
    }

    private MockMultipartHttpServletRequestBuilder upload(String title, String labelColumn, MockMultipartFile file) {
        return upload(title, labelColumn, file, "0");
    }

    private MockMultipartHttpServletRequestBuilder upload(String title, String labelColumn, MockMultipartFile file,
                                                          String price) {
        return multipart("/datasets/new").file(file)
                .param("listing.title", title)
                .param("listing.description", "Test data")
                .param("listing.tags", "test")
                .param("listing.license", "CC-BY-4.0")
                .param("listing.priceAic", price)
                .param("labelColumn", labelColumn)
                .with(user(owner)).with(csrf().asHeader());
    }

    private static MockMultipartFile file(String name, byte[] content) {
        return new MockMultipartFile("file", name, "application/octet-stream", content);
    }

    private Path blobPath(String key) {
        return dataDir().resolve("blobs").resolve(key.substring(0, 2)).resolve(key.substring(2, 4)).resolve(key);
    }

    static byte[] flowersCsv(int rows) {
        var csv = new StringBuilder("sepal_length,sepal_width,petal_length,petal_width,species\n");
        String[] species = {"setosa", "versicolor", "virginica"};
        for (int i = 0; i < rows; i++) {
            csv.append(String.format(Locale.ROOT, "%.1f,%.1f,%.1f,%.1f,%s%n",
                    4.5 + (i % 7) * 0.3, 2.5 + (i % 5) * 0.2, 1.0 + (i % 3) * 2.0, 0.2 + (i % 3) * 0.9, species[i % 3]));
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] idxImages(int count, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(16 + count * rows * cols);
        b.putInt(0x00000803).putInt(count).putInt(rows).putInt(cols);
        for (int i = 0; i < count * rows * cols; i++) {
            b.put((byte) (i * 7));
        }
        return b.array();
    }

    static byte[] idxLabels(int count) {
        ByteBuffer b = ByteBuffer.allocate(8 + count);
        b.putInt(0x00000801).putInt(count);
        for (int i = 0; i < count; i++) {
            b.put((byte) (i % 3));
        }
        return b.array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
