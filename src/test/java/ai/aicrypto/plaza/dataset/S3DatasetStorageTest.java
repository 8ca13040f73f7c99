package ai.aicrypto.plaza.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.net.URI;
import java.util.List;

import ai.aicrypto.plaza.dataset.internal.TestImports;
import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestS3;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The app with PLAZA_BLOB_S3_* set: an upload's raw file and shards go to the bucket (encrypted), nothing stays in
 * the data directory, and the owner downloads the file back from there.
 */
class S3DatasetStorageTest extends IntegrationTest {

    private static final String BUCKET = "plaza-app-" + ProcessHandle.current().pid();

    @DynamicPropertySource
    static void s3(DynamicPropertyRegistry registry) {
        TestS3 s3 = TestS3.get();
        try (S3Client client = client()) {
            client.createBucket(create -> create.bucket(BUCKET));
        }
        registry.add("plaza.blob.s3.endpoint", () -> s3.endpoint);
        registry.add("plaza.blob.s3.bucket", () -> BUCKET);
        registry.add("plaza.blob.s3.access-key", () -> TestS3.ACCESS_KEY);
        registry.add("plaza.blob.s3.secret-key", () -> TestS3.SECRET_KEY);
    }

    @Autowired
    TestUsers users;
    @Autowired
    TestImports imports;

    @Test
    void anUploadIsStoredEncryptedInTheBucketAndDownloadedFromIt() throws Exception {
        AccountPrincipal owner = users.member();
        byte[] csv = DatasetUploadTest.flowersCsv(150);
        String location = mvc.perform(multipart("/datasets/new")
                        .file(new MockMultipartFile("file", "flowers.csv", "application/octet-stream", csv))
                        .param("listing.title", "Flowers in S3 " + System.nanoTime()).param("listing.description", "Test data")
                        .param("listing.tags", "test").param("listing.license", "CC-BY-4.0").param("listing.priceAic", "0")
                        .param("labelColumn", "species").with(user(owner)).with(csrf().asHeader()))
                .andExpect(status().is3xxRedirection()).andReturn().getResponse().getRedirectedUrl();
        long id = imports.awaitDataset(location);

        List<String> keys = jdbc.sql("SELECT blob_key FROM dataset_blobs WHERE dataset_id = ?").param(id).query(String.class).list();
        try (S3Client client = client()) {
            List<String> objects = client.listObjectsV2(list -> list.bucket(BUCKET)).contents().stream().map(S3Object::key).toList();
            assertThat(objects).as("the raw file and its shards, in the bucket").containsAll(keys);
            byte[] raw = client.getObjectAsBytes(o -> o.bucket(BUCKET).key(keys.get(0))).asByteArray();
            assertThat(new String(raw, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("sepal_length");
        }
        assertThat(blobFiles()).as("nothing left in the data directory").isZero();

        var streaming = mvc.perform(get("/datasets/" + id + "/download").with(user(owner))).andReturn();
        byte[] downloaded = mvc.perform(asyncDispatch(streaming)).andExpect(status().isOk()).andReturn().getResponse()
                .getContentAsByteArray();
        assertThat(downloaded).isEqualTo(csv);
    }

    private static S3Client client() {
        return S3Client.builder().endpointOverride(URI.create(TestS3.get().endpoint)).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(TestS3.ACCESS_KEY, TestS3.SECRET_KEY)))
                .build();
    }
}
