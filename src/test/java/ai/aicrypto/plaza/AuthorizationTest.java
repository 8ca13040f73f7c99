package ai.aicrypto.plaza;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.account.ApiTokens;
import ai.aicrypto.plaza.catalog.ListingDraft;
import ai.aicrypto.plaza.compute.TrainingJobs;
import ai.aicrypto.plaza.compute.TrainingPools;
import ai.aicrypto.plaza.compute.internal.SweepPlan;
import ai.aicrypto.plaza.compute.internal.Sweeps;
import ai.aicrypto.plaza.dataset.DatasetUpload;
import ai.aicrypto.plaza.dataset.Datasets;
import ai.aicrypto.plaza.model.ModelUpload;
import ai.aicrypto.plaza.model.Models;
import ai.aicrypto.plaza.support.IntegrationTest;
import ai.aicrypto.plaza.support.TestCompetitions;
import ai.aicrypto.plaza.support.TestUsers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.request.MockMultipartHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.AbstractMockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * Every route, as anonymous, the owner of the item, another member and an admin. Expected codes:
 * 200 shown, 302 to a login page (anonymous) or after a change, 400 refused with a message, 404 hidden (items others may not
 * see answer like missing ones), 403 refused.
 */
class AuthorizationTest extends IntegrationTest {

    private static final int OK = 200, REDIRECT = 302, BAD_INPUT = 400, UNAUTHORIZED = 401, FORBIDDEN = 403, HIDDEN = 404;

    @Autowired
    TestUsers users;
    @Autowired
    Datasets datasets;
    @Autowired
    Models models;
    @Autowired
    TrainingJobs trainingJobs;
    @Autowired
    TrainingPools pools;
    @Autowired
    Sweeps sweeps;
    @Autowired
    ApiTokens apiTokens;

    AccountPrincipal owner;
    AccountPrincipal other;
    AccountPrincipal admin;
    long dataset;

    @BeforeEach
    void listing() throws Exception {
        owner = users.member();
        other = users.member();
        admin = users.admin();
        var csv = java.nio.file.Files.createTempFile("auth", ".csv");
        java.nio.file.Files.writeString(csv, "x,y\n1,a\n2,b\n3,a\n");
        dataset = datasets.importDataset(owner.id(), new DatasetUpload(
                new ListingDraft("Auth test", "", List.of(), "MIT", BigDecimal.ONE), csv, "auth.csv", null, null, "y"));
        java.nio.file.Files.delete(csv);
    }

    /** A dataset's import (its page, its state, its live updates) is its uploader's alone; admins see the dataset. */
    @Test
    void anImportIsItsUploadersAlone() throws Exception {
        long id = jdbc.sql("SELECT id FROM dataset_imports WHERE listing_id = ?").param(dataset).query(Long.class).single();
        expect(r -> get("/datasets/imports/" + id), REDIRECT, REDIRECT, HIDDEN, HIDDEN); // the uploader: on to the dataset
        expect(r -> get("/datasets/imports/" + id + "/state"), REDIRECT, OK, HIDDEN, HIDDEN);
        expect(r -> get("/datasets/imports/" + id + "/events"), REDIRECT, OK, HIDDEN, HIDDEN);
    }

    @Test
    void publicPagesAreOpenToEveryone() throws Exception {
        for (String path : List.of("/", "/datasets", "/models", "/datasets/" + dataset, "/login", "/register",
                "/schemas/model-card/v1.json", "/actuator/health", "/gpus")) {
            expect(r -> get(path), OK, OK, OK, OK);
        }
    }

    @Test
    void memberPagesNeedSignIn() throws Exception {
        for (String path : List.of("/datasets/new", "/models/new", "/listings/mine", "/profile", "/dashboard/provider",
                "/builder", "/jobs", "/credit", "/usage", "/earnings")) {
            expect(r -> get(path), REDIRECT, OK, OK, OK);
        }
    }

    @Test
    void changesNeedSignIn() throws Exception {
        assertThat(status(post("/datasets/new").with(csrf()), null)).isEqualTo(REDIRECT);
        assertThat(status(post("/models/new").param("cardJson", "{}").with(csrf()), null)).isEqualTo(REDIRECT);
        assertThat(status(post("/profile").param("displayName", "x").with(csrf()), null)).isEqualTo(REDIRECT);
        assertThat(status(post("/listings/" + dataset + "/unpublish").with(csrf()), null)).isEqualTo(REDIRECT);
        assertThat(jdbc.sql("SELECT status FROM listings WHERE id = ?").param(dataset).query(String.class).single())
                .isEqualTo("PUBLISHED");
        long offers = count("gpu_offers");
        assertThat(status(post("/dashboard/provider/offers").param("title", "x").param("gpuModel", "x")
                .param("gpuMemoryMb", "1").param("pricePerHourAic", "1").param("region", "x").with(csrf()), null))
                .isEqualTo(REDIRECT);
        assertThat(count("gpu_offers")).isEqualTo(offers);
        assertThat(status(post("/dashboard/provider/offers/1/serving").param("servingPricePerGpuSecondAic", "1").with(csrf()), null))
                .isEqualTo(REDIRECT);
        long jobs = count("training_jobs");
        assertThat(status(post("/builder").param("datasetId", String.valueOf(dataset)).with(csrf()), null)).isEqualTo(REDIRECT);
        assertThat(count("training_jobs")).isEqualTo(jobs);
    }

    @Test
    void onlyTheRequesterAndAdminsSeeATrainingJob() throws Exception {
        long model = models.publish(owner.id(), new ModelUpload(new ClassPathResource(
                "model-card/examples/tabular-softmax-regression.json").getContentAsString(StandardCharsets.UTF_8),
                List.of(), null));
        long job = trainingJobs.submit(owner.id(), dataset, model, "{}", 0);
        for (String path : List.of("/jobs/" + job, "/jobs/" + job + "/panel", "/jobs/" + job + "/events")) {
            expect(r -> get(path), REDIRECT, OK, HIDDEN, OK);
        }
        // Only the requester deposits (this context has no chain: a message, not a permit), and never without a wallet.
        for (String step : List.of("/deposit/permit", "/deposit/transaction", "/deposit")) {
            expect(r -> jsonPost("/jobs/" + job + step), REDIRECT, BAD_INPUT, HIDDEN, HIDDEN);
        }
        // A training pool's deposit steps, the same: only its owner is answered.
        long pool = pools.open(owner.id(), BigDecimal.ONE, 2, Instant.now().plus(Duration.ofDays(3)), "pool");
        for (String step : List.of("/deposit/permit", "/deposit/transaction", "/deposit")) {
            expect(r -> jsonPost("/pools/" + pool + step), REDIRECT, BAD_INPUT, HIDDEN, HIDDEN);
        }
        assertThat(count("job_deposits")).isZero();
        // Admins may look but not cancel; the requester's cancel comes last, as it ends the job.
        assertThat(status(post("/jobs/" + job + "/cancel").with(csrf()), null)).isEqualTo(REDIRECT);
        assertThat(status(post("/jobs/" + job + "/cancel").with(csrf()), other)).isEqualTo(HIDDEN);
        assertThat(status(post("/jobs/" + job + "/cancel").with(csrf()), admin)).isEqualTo(FORBIDDEN);
        assertThat(status(post("/jobs/" + job + "/cancel"), owner)).isEqualTo(FORBIDDEN);
        assertThat(jdbc.sql("SELECT status FROM training_jobs WHERE id = ?").param(job).query(String.class).single())
                .isEqualTo("QUEUED");
        assertThat(status(post("/jobs/" + job + "/cancel").with(csrf()), owner)).isEqualTo(REDIRECT);
        assertThat(jdbc.sql("SELECT status FROM training_jobs WHERE id = ?").param(job).query(String.class).single())
                .isEqualTo("CANCELLED");
    }

    @Test
    void onlyTheRequesterAndAdminsSeeASweepAndOnlyTheRequesterCancelsIt() throws Exception {
        long model = models.publish(owner.id(), new ModelUpload(new ClassPathResource(
                "model-card/examples/tabular-softmax-regression.json").getContentAsString(StandardCharsets.UTF_8),
                List.of(), null));
        long sweep = sweeps.submit(owner.id(), dataset, model, List.of(), null, SweepPlan.Search.GRID, BigDecimal.TEN, false,
                List.of("{\"learningRate\": 0.01}", "{\"learningRate\": 0.1}"));
        for (String path : List.of("/sweeps/" + sweep, "/sweeps/" + sweep + "/panel", "/sweeps/" + sweep + "/events")) {
            expect(r -> get(path), REDIRECT, OK, HIDDEN, OK);
        }
        assertThat(status(post("/sweeps/" + sweep + "/cancel").with(csrf()), null)).isEqualTo(REDIRECT);
        assertThat(status(post("/sweeps/" + sweep + "/cancel").with(csrf()), other)).isEqualTo(HIDDEN);
        assertThat(status(post("/sweeps/" + sweep + "/cancel").with(csrf()), admin)).isEqualTo(FORBIDDEN);
        assertThat(status(post("/sweeps/" + sweep + "/cancel"), owner)).isEqualTo(FORBIDDEN);
        assertThat(jdbc.sql("SELECT status FROM training_jobs WHERE sweep_id = ?").param(sweep).query(String.class).list())
                .containsOnly("QUEUED");
        assertThat(status(post("/sweeps/" + sweep + "/cancel").with(csrf()), owner)).isEqualTo(REDIRECT);
        assertThat(jdbc.sql("SELECT status FROM training_jobs WHERE sweep_id = ?").param(sweep).query(String.class).list())
                .containsExactly("CANCELLED", "CANCELLED");
    }

    @Test
    void aProfileChangeOnlyTouchesTheSignedInAccount() throws Exception {
        assertThat(status(post("/profile").param("displayName", "Renamed").with(csrf()), other)).isEqualTo(REDIRECT);
        assertThat(jdbc.sql("SELECT display_name FROM users WHERE id = ?").param(owner.id()).query(String.class).single())
                .isNotEqualTo("Renamed");
        assertThat(jdbc.sql("SELECT display_name FROM users WHERE id = ?").param(other.id()).query(String.class).single())
                .isEqualTo("Renamed");
    }

    @Test
    void onlyTheOwnerDownloadsRawData() throws Exception {
        expect(r -> get("/datasets/" + dataset + "/download"), REDIRECT, OK, HIDDEN, HIDDEN);
    }

    /** Whose GPUs a licensee's jobs may use is the data owner's decision alone, not even an admin's. */
    @Test
    void onlyTheOwnerDecidesWhoTrainsOnTheData() throws Exception {
        expect(r -> post("/datasets/" + dataset + "/compute-policy").param("allowUnvetted", "true").with(csrf()),
                REDIRECT, REDIRECT, HIDDEN, HIDDEN);
        assertThat(jdbc.sql("SELECT unvetted_compute_allowed FROM datasets WHERE listing_id = ?").param(dataset)
                .query(Boolean.class).single()).isTrue();
    }

    @Test
    void onlyOwnerAndAdminsManageAListing() throws Exception {
        expect(r -> get("/listings/" + dataset + "/edit"), REDIRECT, OK, HIDDEN, OK);
        expect(r -> post("/listings/" + dataset + "/edit").param("title", "Changed").param("license", "MIT")
                .param("priceAic", "1").with(csrf()), REDIRECT, REDIRECT, HIDDEN, REDIRECT);
        assertThat(jdbc.sql("SELECT title FROM listings WHERE id = ?").param(dataset).query(String.class).single())
                .isEqualTo("Changed");
    }

    @Test
    void unpublishedListingsAreHiddenFromOthers() throws Exception {
        assertThat(status(post("/listings/" + dataset + "/unpublish").with(csrf()), other)).isEqualTo(HIDDEN);
        assertThat(status(post("/listings/" + dataset + "/unpublish").with(csrf()), admin)).isEqualTo(REDIRECT);
        expect(r -> get("/datasets/" + dataset), HIDDEN, OK, HIDDEN, OK);
        // An admin may take a listing down but not put it back up; the owner may.
        assertThat(status(post("/listings/" + dataset + "/publish").with(csrf()), admin)).isEqualTo(FORBIDDEN);
        assertThat(status(post("/listings/" + dataset + "/publish").with(csrf()), other)).isEqualTo(HIDDEN);
        assertThat(status(post("/listings/" + dataset + "/publish").with(csrf()), owner)).isEqualTo(REDIRECT);
        expect(r -> get("/datasets/" + dataset), OK, OK, OK, OK);
    }

    @Test
    void changesWithoutCsrfTokenAreRefused() throws Exception {
        assertThat(status(post("/listings/" + dataset + "/unpublish"), owner)).isEqualTo(FORBIDDEN);
        assertThat(status(post("/profile").param("displayName", "x"), owner)).isEqualTo(FORBIDDEN);
    }

    @Test
    void marketRoutesCheckWhoAsks() throws Exception {
        expect(r -> get("/listings/" + dataset + "/license-panel"), OK, OK, OK, OK);
        expect(r -> get("/api/nft/" + dataset), OK, OK, OK, OK);
        // Only the owner may prepare the sale (this context has no chain: a message, not a transaction).
        expect(r -> jsonPost("/listings/" + dataset + "/sale/transaction"), REDIRECT, BAD_INPUT, HIDDEN, HIDDEN);
        // Buying: not one's own asset, and never without a linked wallet.
        expect(r -> jsonPost("/listings/" + dataset + "/purchase/permit"), REDIRECT, BAD_INPUT, BAD_INPUT, BAD_INPUT);
        expect(r -> jsonPost("/listings/" + dataset + "/purchase"), REDIRECT, BAD_INPUT, BAD_INPUT, BAD_INPUT);
        // A paid listing has no free license.
        expect(r -> post("/listings/" + dataset + "/license").with(csrf()), REDIRECT, HIDDEN, HIDDEN, HIDDEN);
        expect(r -> get("/purchases/123456/live"), REDIRECT, HIDDEN, HIDDEN, HIDDEN);
        // Ownership: everyone sees the panel; only the owner offers or withdraws (no chain here: a message for the
        // owner too), and nobody buys their own asset or without a linked wallet.
        expect(r -> get("/listings/" + dataset + "/ownership-panel"), OK, OK, OK, OK);
        expect(r -> jsonPost("/listings/" + dataset + "/ownership/offer"), REDIRECT, BAD_INPUT, BAD_INPUT, BAD_INPUT);
        expect(r -> jsonPost("/listings/" + dataset + "/ownership/cancel"), REDIRECT, BAD_INPUT, BAD_INPUT, BAD_INPUT);
        expect(r -> jsonPost("/listings/" + dataset + "/ownership/purchase/transactions"), REDIRECT, BAD_INPUT, BAD_INPUT, BAD_INPUT);
        expect(r -> jsonPost("/listings/" + dataset + "/ownership/purchase"), REDIRECT, BAD_INPUT, BAD_INPUT, BAD_INPUT);
        assertThat(jdbc.sql("""
                SELECT (SELECT count(*) FROM licenses WHERE listing_id = :id) + (SELECT count(*) FROM purchases WHERE listing_id = :id)""")
                .param("id", dataset).query(Long.class).single()).isZero();
        // Everyone reads the reviews; only license holders write one (nobody here: the owner may not review their
        // own), and each deletes only their own.
        expect(r -> get("/listings/" + dataset + "/reviews"), OK, OK, OK, OK);
        expect(r -> post("/listings/" + dataset + "/review").param("stars", "5").with(csrf()), REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN);
        expect(r -> post("/listings/" + dataset + "/review/delete").with(csrf()), REDIRECT, REDIRECT, REDIRECT, REDIRECT);
        assertThat(jdbc.sql("SELECT count(*) FROM listing_reviews WHERE listing_id = ?").param(dataset).query(Long.class).single())
                .isZero();

        assertThat(status(post("/listings/" + dataset + "/unpublish").with(csrf()), owner)).isEqualTo(REDIRECT);
        expect(r -> get("/listings/" + dataset + "/license-panel"), HIDDEN, OK, HIDDEN, OK);
        expect(r -> get("/listings/" + dataset + "/reviews"), HIDDEN, OK, HIDDEN, OK);
        expect(r -> get("/api/nft/" + dataset), HIDDEN, HIDDEN, HIDDEN, HIDDEN);
        expect(r -> get("/listings/" + dataset + "/ownership-panel"), HIDDEN, OK, HIDDEN, OK);
        expect(r -> jsonPost("/listings/" + dataset + "/ownership/purchase/transactions"), REDIRECT, HIDDEN, HIDDEN, HIDDEN);
    }

    @Test
    void dataRequestsAreForMembersAndTheirWalletStepsForTheRequester() throws Exception {
        // This context has no chain: a request stored as its requester (the owner) would have made it, with a submission.
        long id = jdbc.sql("""
                        INSERT INTO bounties (requester_id, title, description, expected_columns, min_rows, quality_bar, license,
                                              price_aic, bounty_wei, deadline)
                        VALUES (?, 'Auth request', '', '', 1, '', 'MIT', 0, 1, now() + interval '2 days') RETURNING id""")
                .param(owner.id()).query(Long.class).single();
        long submission = jdbc.sql("INSERT INTO bounty_submissions (bounty_id, creator_id, listing_id) VALUES (?, ?, ?) RETURNING id")
                .params(id, other.id(), dataset).query(Long.class).single();
        String r = "/requests/" + id;
        expect(x -> get("/requests"), REDIRECT, OK, OK, OK);
        expect(x -> get("/requests/new"), REDIRECT, OK, OK, OK);
        expect(x -> get(r), REDIRECT, OK, OK, OK);
        expect(x -> get("/requests/999999999"), REDIRECT, HIDDEN, HIDDEN, HIDDEN);
        // Without the escrow nobody creates one: the form again with the message, nothing stored.
        long before = count("bounties");
        expect(x -> post("/requests/new").param("title", "t").param("minRows", "1").param("license", "MIT").param("priceAic", "0")
                .param("bountyAic", "1").param("deadline", "2099-01-01").with(csrf()), REDIRECT, OK, OK, OK);
        assertThat(count("bounties")).isEqualTo(before);
        // The wallet steps are the requester's alone (admins included, others see nothing); here a message: no chain.
        for (String step : List.of("/funding/permit", "/funding/transaction", "/refund", "/submissions/" + submission + "/accept")) {
            expect(x -> jsonPost(r + step), REDIRECT, BAD_INPUT, HIDDEN, HIDDEN);
        }
        // Nobody submits to a request that is not funded: a message, nothing stored.
        expect(x -> post(r + "/submissions").param("datasetId", String.valueOf(dataset)).with(csrf()),
                REDIRECT, BAD_INPUT, BAD_INPUT, BAD_INPUT);
        assertThat(jdbc.sql("SELECT count(*) FROM bounty_submissions WHERE bounty_id = ?").param(id).query(Long.class).single())
                .isEqualTo(1);
    }

    @Test
    void commissionsAreForMembersTheirStepsForTheRequesterAndTheDeveloperAndTheirTestSetForNobody() throws Exception {
        // This context has no chain: a commission stored as its requester (the owner) would have made it, with another
        // member's scored model (any listing stands in for it here).
        long id = jdbc.sql("""
                        INSERT INTO bounties (kind, requester_id, title, description, expected_columns, min_rows, quality_bar, metric,
                                              bar, test_rows, wrapped_data_key, solution_blob_key, test_inputs_blob_key, bounty_wei,
                                              deadline)
                        VALUES ('MODEL', ?, 'Auth commission', '', '', 1, '', 'ACCURACY', 0.8, 3, '\\x00', 'none', 'none', 1,
                                now() + interval '2 days') RETURNING id""")
                .param(owner.id()).query(Long.class).single();
        long submission = jdbc.sql("INSERT INTO commission_submissions (bounty_id, creator_id, model_id, status, score) VALUES (?, ?, ?, 'SCORED', 0.9) RETURNING id")
                .params(id, other.id(), dataset).query(Long.class).single();
        String r = "/requests/" + id;
        expect(x -> get("/commissions/new"), REDIRECT, OK, OK, OK);
        expect(x -> get(r), REDIRECT, OK, OK, OK);
        // Without the escrow nobody creates one: the form again with the message, nothing stored.
        long before = count("bounties");
        java.util.function.Supplier<MockMultipartHttpServletRequestBuilder> create = () -> {
            var f = multipart("/commissions/new")
                    .file(new MockMultipartFile("testInputs", "in.csv", "text/csv", "id,x\na,1\n".getBytes()))
                    .file(new MockMultipartFile("solution", "s.csv", "text/csv", "id,y\na,1\n".getBytes()));
            f.param("title", "t").param("metric", "ACCURACY").param("bar", "0.5").param("bountyAic", "1").param("deadline", "2099-01-01");
            return f;
        };
        assertThat(status(create.get().with(csrf().asHeader()), null)).isEqualTo(REDIRECT);
        for (AccountPrincipal member : List.of(owner, other, admin)) {
            assertThat(status(create.get().with(csrf().asHeader()), member)).isEqualTo(OK);
        }
        assertThat(count("bounties")).isEqualTo(before);
        // The requester's wallet steps are theirs alone (admins included, others see nothing); here a message: no chain.
        for (String step : List.of("/funding/permit", "/funding/transaction", "/refund", "/submissions/" + submission + "/accept")) {
            expect(x -> jsonPost(r + step), REDIRECT, BAD_INPUT, HIDDEN, HIDDEN);
        }
        // The developer's offer of the token: nobody's while the commission is not funded (a message, nothing sent).
        expect(x -> jsonPost(r + "/models/" + submission + "/transactions"), REDIRECT, BAD_INPUT, BAD_INPUT, BAD_INPUT);
        // Nobody submits a model to a commission that is not funded: a message, nothing stored.
        expect(x -> post(r + "/models").param("modelId", String.valueOf(dataset)).with(csrf()), REDIRECT, BAD_INPUT, BAD_INPUT, BAD_INPUT);
        assertThat(jdbc.sql("SELECT count(*) FROM commission_submissions WHERE bounty_id = ?").param(id).query(Long.class).single())
                .isEqualTo(1);
        // The hidden test set is served by no route, to anyone.
        for (String path : List.of(r + "/test-inputs", r + "/solution", r + "/files/test-inputs")) {
            expect(x -> get(path), REDIRECT, HIDDEN, HIDDEN, HIDDEN);
        }
    }

    private static MockHttpServletRequestBuilder jsonPost(String path) {
        return post(path).with(csrf()).contentType(org.springframework.http.MediaType.APPLICATION_JSON).content("{}");
    }

    @Test
    void aPrivateTrainedModelIsItsOwnersOnly() throws Exception {
        long trained = withWeights(upload -> models.createPrivate(owner.id(), upload), "0");
        expect(r -> get("/models/" + trained), HIDDEN, OK, HIDDEN, OK);
        expect(r -> get("/models/" + trained + "/card.json"), HIDDEN, OK, HIDDEN, OK);
        expect(r -> get("/models/" + trained + "/weights"), REDIRECT, OK, HIDDEN, HIDDEN);
        // Trying it: the owner gets an answer (here: its weights do not fit the card), others see nothing.
        expect(r -> post("/models/" + trained + "/try").param("in[x]", "1").with(csrf()), REDIRECT, OK, HIDDEN, HIDDEN);
        String body = "{\"instances\": [{\"x\": 1}]}";
        assertThat(status(post("/api/v1/models/" + trained + "/predict").contentType("application/json").content(body), null))
                .as("the API wants a bearer token").isEqualTo(UNAUTHORIZED);
        assertThat(status(post("/api/v1/models/" + trained + "/predict").contentType("application/json").content(body)
                .header("Authorization", "Bearer " + apiTokens.issue(other.id(), "o").token()), null)).isEqualTo(HIDDEN);
        assertThat(status(post("/api/v1/models/" + trained + "/predict").contentType("application/json").content(body)
                .header("Authorization", "Bearer " + apiTokens.issue(owner.id(), "w").token()), null)).isEqualTo(BAD_INPUT);
    }

    /**
     * Usage credit is each member's own: the wallet steps act on the signed-in member's linked wallets only (this
     * context has no chain: a message, never a permit or a call), and nothing is stored by them.
     */
    @Test
    void creditStepsAreTheSignedInMembersOwn() throws Exception {
        for (String step : List.of("/credit/deposit/permit", "/credit/deposit/transaction", "/credit/withdrawal/transaction",
                "/credit/withdraw/transaction")) {
            expect(r -> jsonPost(step), REDIRECT, BAD_INPUT, BAD_INPUT, BAD_INPUT);
            assertThat(status(post(step).contentType("application/json").content("{}"), owner)).as("no CSRF token").isEqualTo(FORBIDDEN);
        }
        assertThat(count("credit_accounts") + count("credit_logs")).isZero();
    }

    /** Only the owner sets who may call a model and its price; others are refused, and an unseen model stays hidden. */
    @Test
    void onlyTheOwnerSetsAModelsApi() throws Exception {
        long model = withWeights(upload -> models.publish(owner.id(), upload), "0");
        expect(r -> post("/models/" + model + "/api-settings").param("visibility", "LICENSEES").param("price", "2").with(csrf()),
                REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN);
        long hidden = withWeights(upload -> models.createPrivate(owner.id(), upload), "0");
        expect(r -> post("/models/" + hidden + "/api-settings").param("visibility", "PUBLIC").param("price", "0").with(csrf()),
                REDIRECT, REDIRECT, HIDDEN, FORBIDDEN);
        assertThat(jdbc.sql("SELECT api_visibility || ' ' || api_price_per_1000_aic::float8 FROM models WHERE listing_id = ?")
                .param(model).query(String.class).single()).isEqualTo("LICENSEES 2");
    }

    /** A paid model delivers its weights, its card and training with the card to the owner and licensees only. */
    @Test
    void aPaidModelIsForItsOwnerAndLicensees() throws Exception {
        AccountPrincipal licensee = users.member();
        long model = withWeights(upload -> models.publish(owner.id(), upload), "3");
        // A paid license, as the chain watcher records a confirmed purchase.
        jdbc.sql("""
                        INSERT INTO licenses (listing_id, user_id, buyer_address, price_wei, tx_hash, log_index, chain_license)
                        VALUES (?, ?, '0x00000000000000000000000000000000000000aa', 3, ?, 0, 1)""")
                .params(model, licensee.id(), String.format("0x%064x", model)).update();

        expect(r -> get("/models/" + model), OK, OK, OK, OK);
        expect(r -> get("/models/" + model + "/weights"), REDIRECT, OK, HIDDEN, HIDDEN);
        expect(r -> get("/models/" + model + "/card.json"), HIDDEN, OK, HIDDEN, HIDDEN);
        assertThat(status(get("/models/" + model + "/weights"), licensee)).isEqualTo(OK);
        assertThat(status(get("/models/" + model + "/card.json"), licensee)).isEqualTo(OK);

        // The builder, on a free dataset everyone took a license of: the card's settings, or a refusal.
        var csv = java.nio.file.Files.createTempFile("iris", ".csv");
        java.nio.file.Files.writeString(csv, "sepal_length,sepal_width,petal_length,petal_width,species\n"
                + "5.1,3.5,1.4,0.2,setosa\n7.0,3.2,4.7,1.4,versicolor\n6.3,3.3,6.0,2.5,virginica\n");
        long iris = datasets.importDataset(owner.id(), new DatasetUpload(
                new ListingDraft("Iris", "", List.of(), "MIT", BigDecimal.ZERO), csv, "iris.csv", null, null, "species"));
        java.nio.file.Files.delete(csv);
        for (AccountPrincipal member : List.of(other, admin, licensee)) {
            assertThat(status(post("/listings/" + iris + "/license").with(csrf()), member)).isEqualTo(OK);
        }
        Function<Void, MockHttpServletRequestBuilder> step3 = r -> get("/builder").param("datasetId", String.valueOf(iris))
                .param("modelId", String.valueOf(model)).param("step", "3");
        expect(step3, REDIRECT, OK, OK, OK);
        for (AccountPrincipal member : List.of(owner, licensee, other, admin)) {
            String page = mvc.perform(step3.apply(null).with(user(member))).andReturn().getResponse().getContentAsString();
            boolean mayTrain = member == owner || member == licensee;
            assertThat(page.contains("name=\"hp[epochs]\"")).as("settings for " + member.getUsername()).isEqualTo(mayTrain);
            assertThat(page.contains("This model card is for sale")).as("refusal for " + member.getUsername())
                    .isEqualTo(!mayTrain);
        }
    }

    /** A model with one tiny tensor as its weights and the iris card at {@code price} AIC, made by {@code how}. */
    private static long withWeights(java.util.function.ToLongFunction<ModelUpload> how, String price) throws Exception {
        var weights = java.nio.file.Files.createTempFile("weights", ".safetensors");
        byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}".getBytes();
        java.nio.file.Files.write(weights, java.nio.ByteBuffer.allocate(8 + header.length + 4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(header.length).put(header).putFloat(1f).array());
        try {
            String card = new ClassPathResource("model-card/examples/tabular-softmax-regression.json")
                    .getContentAsString(StandardCharsets.UTF_8).replace("\"priceAic\": \"0\"", "\"priceAic\": \"" + price + "\"");
            return how.applyAsLong(new ModelUpload(card, List.of(), weights));
        } finally {
            java.nio.file.Files.delete(weights);
        }
    }

    /** 401 without a worker token; a signed-in member is authenticated but is no worker (403). */
    @Test
    void theWorkerApiTakesWorkerTokensOnly() throws Exception {
        for (String route : List.of("/heartbeat", "/lease", "/jobs/1/renew", "/jobs/1/progress", "/jobs/1/complete", "/jobs/1/fail",
                "/jobs/1/checkpoints")) {
            expect(r -> post("/api/worker/v1" + route).contentType("application/json").content("{}").with(csrf()),
                    UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN);
        }
        expect(r -> get("/api/worker/v1/jobs/1/shards/0"), UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN);
        expect(r -> put("/api/worker/v1/jobs/1/weights").content(new byte[8]).with(csrf()),
                UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN);
        expect(r -> put("/api/worker/v1/jobs/1/checkpoints/1").content(new byte[8]).with(csrf()),
                UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN);
        expect(r -> get("/api/worker/v1/jobs/1/checkpoints/start"), UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN);
    }

    @Test
    void rewardPagesArePublicExceptAMembersOwnRewards() throws Exception {
        for (String path : List.of("/contributions/LISTING/" + dataset, "/contributions/LISTING/" + dataset + "/standing",
                "/contributions/GPU_OFFER/1", "/members/" + owner.getUsername())) {
            expect(r -> get(path), OK, OK, OK, OK);
        }
        expect(r -> get("/contributions/NOPE/1"), HIDDEN, HIDDEN, HIDDEN, HIDDEN);
        expect(r -> get("/contributions/LISTING/" + dataset + "/epochs/1"), HIDDEN, HIDDEN, HIDDEN, HIDDEN); // no epoch closed
        expect(r -> get("/members/nobody-has-this-name"), HIDDEN, HIDDEN, HIDDEN, HIDDEN);
        expect(r -> get("/rewards"), REDIRECT, OK, OK, OK);
        expect(r -> jsonPost("/rewards/1/claim/transaction"), REDIRECT, HIDDEN, HIDDEN, HIDDEN); // nobody's allocation
    }

    @Test
    void operationalEndpointsAreForAdmins() throws Exception {
        expect(r -> get("/actuator/metrics"), REDIRECT, FORBIDDEN, FORBIDDEN, OK);
        expect(r -> get("/admin/chain/quarantine"), REDIRECT, FORBIDDEN, FORBIDDEN, OK);
    }

    @Test
    void apiTokensAreIssuedAndRevokedOnlyByTheirOwner() throws Exception {
        assertThat(status(post("/profile/tokens").param("name", "x").with(csrf()), null)).isEqualTo(REDIRECT);
        assertThat(status(post("/profile/tokens").param("name", "x"), owner)).isEqualTo(FORBIDDEN); // no CSRF token
        long token = apiTokens.issue(owner.id(), "laptop").id();
        assertThat(status(post("/profile/tokens/" + token + "/revoke").with(csrf()), other)).isEqualTo(HIDDEN);
        assertThat(status(post("/profile/tokens/" + token + "/revoke").with(csrf()), admin)).isEqualTo(HIDDEN);
        assertThat(apiTokens.list(owner.id())).hasSize(1);
        assertThat(status(post("/profile/tokens/" + token + "/revoke").with(csrf()), owner)).isEqualTo(REDIRECT);
        assertThat(apiTokens.list(owner.id())).isEmpty();
    }

    @Test
    void competitionPagesArePublicAndTakingPartIsForParticipants() throws Exception {
        String slug = TestCompetitions.slug("auth-cup");
        java.util.function.Supplier<MockMultipartHttpServletRequestBuilder> form = () -> TestCompetitions.form(slug);
        assertThat(status(form.get().with(csrf().asHeader()), null)).isEqualTo(REDIRECT); // to the sign-in page, unparsed
        // A multipart request's token must be outside its body (header or query string): in the body it is never read.
        assertThat(status(form.get().with(csrf()), owner)).isEqualTo(FORBIDDEN);
        assertThat(status(form.get().with(csrf().asHeader()), owner)).isEqualTo(REDIRECT); // the owner hosts it
        String c = "/competitions/" + slug;
        for (String path : List.of("/competitions", c, c + "/leaderboard", c + "/leaderboard.csv")) {
            expect(r -> get(path), OK, OK, OK, OK);
        }
        expect(r -> get("/competitions/new"), REDIRECT, OK, OK, OK);
        expect(r -> get(c + "/edit"), REDIRECT, OK, HIDDEN, HIDDEN);
        // Only the host funds the prize pool (this context has no chain: a message, not a permit).
        expect(r -> jsonPost(c + "/funding/permit"), REDIRECT, BAD_INPUT, HIDDEN, HIDDEN);
        expect(r -> jsonPost(c + "/funding/transaction"), REDIRECT, BAD_INPUT, HIDDEN, HIDDEN);
        assertThat(status(post(c + "/edit").param("title", "Taken over").with(csrf()), other)).isEqualTo(HIDDEN);
        assertThat(status(post(c + "/edit").param("title", "Taken over").with(csrf()), admin)).isEqualTo(HIDDEN);
        // The host sees their baselines; nobody has joined yet, so nobody else has submissions or a team.
        expect(r -> get(c + "/submissions"), REDIRECT, OK, HIDDEN, HIDDEN);
        expect(r -> get(c + "/team"), REDIRECT, HIDDEN, HIDDEN, HIDDEN);
        // A model as a submission: the host's would be a baseline (model 1 is not theirs: refused), nobody else's yet.
        expect(r -> post(c + "/submissions/model").param("modelId", "1").with(csrf()), REDIRECT, BAD_INPUT, HIDDEN, HIDDEN);
        // A dataset as a submission: this is no data competition (refused for the host), nobody else's yet.
        expect(r -> post(c + "/submissions/data").param("datasetId", "1").with(csrf()), REDIRECT, BAD_INPUT, HIDDEN, HIDDEN);
        // The files are the host's and participants' (there is no training dataset here), the final submissions the
        // host's once the ranking is final; closing and rescoring are the host's alone.
        expect(r -> get(c + "/files/test-inputs"), REDIRECT, OK, HIDDEN, HIDDEN);
        expect(r -> get(c + "/files/sample-submission"), REDIRECT, OK, HIDDEN, HIDDEN);
        expect(r -> get(c + "/files/training/0"), REDIRECT, HIDDEN, HIDDEN, HIDDEN);
        expect(r -> get(c + "/final-submissions.zip"), REDIRECT, BAD_INPUT, HIDDEN, HIDDEN);
        java.util.function.Supplier<MockMultipartHttpServletRequestBuilder> rescore = () -> {
            var f = multipart(c + "/rescore")
                    .file(new MockMultipartFile("solution", "s.csv", "text/csv", "id,y\nc,3\nb,2\na,1\n".getBytes()));
            f.param("reason", "reordered");
            return f;
        };
        assertThat(status(rescore.get().with(csrf().asHeader()), null)).isEqualTo(REDIRECT);
        assertThat(status(rescore.get().with(csrf().asHeader()), other)).isEqualTo(HIDDEN);
        assertThat(status(rescore.get().with(csrf().asHeader()), admin)).isEqualTo(HIDDEN);
        assertThat(status(rescore.get().with(csrf().asHeader()), owner)).isEqualTo(REDIRECT);
        assertThat(jdbc.sql("SELECT count(*) FROM competition_rescores r JOIN competitions c ON c.id = r.competition_id WHERE c.slug = ?")
                .param(slug).query(Long.class).single()).isEqualTo(1);
        // Adding a phase is the host's alone (this one overlaps the competition's only phase: refused on the page).
        java.util.function.Supplier<MockMultipartHttpServletRequestBuilder> addPhase = () -> {
            var f = multipart(c + "/phases")
                    .file(new MockMultipartFile("solution", "s.csv", "text/csv", "id,y\na,1\nb,2\nc,3\n".getBytes()));
            f.param("phaseName", "Final").param("opensAt", "2099-01-01T00:00").param("endsAt", "2099-01-02T00:00");
            return f;
        };
        assertThat(status(addPhase.get().with(csrf().asHeader()), null)).isEqualTo(REDIRECT);
        assertThat(status(addPhase.get().with(csrf().asHeader()), other)).isEqualTo(HIDDEN);
        assertThat(status(addPhase.get().with(csrf().asHeader()), admin)).isEqualTo(HIDDEN);
        assertThat(status(addPhase.get().with(csrf().asHeader()), owner)).isEqualTo(REDIRECT);
        assertThat(jdbc.sql("SELECT count(*) FROM competition_phases p JOIN competitions c ON c.id = p.competition_id WHERE c.slug = ?")
                .param(slug).query(Long.class).single()).isEqualTo(1);
        expect(r -> get(c + "/files/test-inputs").param("phase", "2"), REDIRECT, HIDDEN, HIDDEN, HIDDEN);
        for (AccountPrincipal who : new AccountPrincipal[] {null, other, admin}) {
            assertThat(status(post(c + "/close").param("reason", "x").with(csrf()), who)).isEqualTo(who == null ? REDIRECT : HIDDEN);
        }
        assertThat(status(post(c + "/join").param("acceptRules", "true"), other)).isEqualTo(FORBIDDEN); // no CSRF token
        assertThat(status(post(c + "/join").param("acceptRules", "true").with(csrf()), null)).isEqualTo(REDIRECT);
        assertThat(status(post(c + "/join").param("acceptRules", "true").with(csrf()), other)).isEqualTo(REDIRECT);
        expect(r -> get(c + "/team"), REDIRECT, HIDDEN, OK, HIDDEN);
        expect(r -> get(c + "/submissions"), REDIRECT, OK, OK, HIDDEN);
        expect(r -> get(c + "/files/test-inputs"), REDIRECT, OK, OK, HIDDEN);
        expect(r -> get(c + "/files/sample-submission"), REDIRECT, OK, OK, HIDDEN);
        assertThat(status(post(c + "/team/invites/1/accept").with(csrf()), owner)).isEqualTo(HIDDEN);
        assertThat(status(post(c + "/submissions/1/select").with(csrf()), admin)).isEqualTo(HIDDEN);
        // A participant may submit only a model of their own.
        expect(r -> post(c + "/submissions/model").param("modelId", "1").with(csrf()), REDIRECT, BAD_INPUT, BAD_INPUT, HIDDEN);
        expect(r -> post(c + "/submissions/data").param("datasetId", "1").with(csrf()), REDIRECT, BAD_INPUT, BAD_INPUT, HIDDEN);
        // The API wants a bearer token: a session or nothing is 401.
        assertThat(status(multipart("/api/v1" + c + "/submissions")
                .file(new MockMultipartFile("file", "p.csv", "text/csv", "id,prediction\n".getBytes())), null))
                .isEqualTo(401);
        assertThat(jdbc.sql("SELECT count(*) FROM participants p JOIN competitions c ON c.id = p.competition_id WHERE c.slug = ?")
                .param(slug).query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("SELECT closed_at IS NULL FROM competitions WHERE slug = ?").param(slug).query(Boolean.class).single())
                .isTrue();
        assertThat(status(post(c + "/close").param("reason", "done").with(csrf()), owner)).isEqualTo(REDIRECT);
        assertThat(jdbc.sql("SELECT close_reason FROM competitions WHERE slug = ?").param(slug).query(String.class).single())
                .isEqualTo("done");
    }

    /**
     * A competition's discussion: anyone reads; members post; the owner (here the competition's host and the posts'
     * author) edits and deletes; admins moderate; nobody else changes anything. Ids of another competition's thread or
     * of another thread's post are not found.
     */
    @Test
    void discussionsAreReadByAllAndChangedByAuthorsAndModerators() throws Exception {
        String c = "/competitions/" + TestCompetitions.host(mvc, owner) + "/discussion";
        expect(r -> get(c), OK, OK, OK, OK);
        expect(r -> post(c).param("title", "t").param("body", "b").with(csrf()), REDIRECT, REDIRECT, REDIRECT, REDIRECT);
        long thread = jdbc.sql("SELECT id FROM discussion_threads WHERE author_id = ?").param(owner.id()).query(Long.class).single();
        String t = c + "/" + thread;
        long opening = jdbc.sql("SELECT id FROM discussion_posts WHERE thread_id = ?").param(thread).query(Long.class).single();
        expect(r -> get(t), OK, OK, OK, OK);
        expect(r -> post(t + "/replies").param("body", "b").with(csrf()), REDIRECT, REDIRECT, REDIRECT, REDIRECT);
        expect(r -> post(c + "/preview").param("body", "b").with(csrf()), REDIRECT, OK, OK, OK);
        expect(r -> get(t + "/posts/" + opening + "/edit"), REDIRECT, OK, FORBIDDEN, FORBIDDEN);
        expect(r -> post(t + "/posts/" + opening + "/edit").param("title", "t2").param("body", "b2").with(csrf()),
                REDIRECT, REDIRECT, FORBIDDEN, FORBIDDEN);
        expect(r -> post(t + "/pin").param("pinned", "true").with(csrf()), REDIRECT, REDIRECT, FORBIDDEN, REDIRECT);
        expect(r -> post(c).param("title", "t").param("body", "b").param("announcement", "true").with(csrf()),
                REDIRECT, REDIRECT, FORBIDDEN, REDIRECT);
        // Without the CSRF token nothing changes, whoever asks.
        assertThat(status(post(t + "/replies").param("body", "b"), owner)).isEqualTo(FORBIDDEN);
        assertThat(status(post(t + "/posts/" + opening + "/delete").param("reason", "r"), admin)).isEqualTo(FORBIDDEN);

        // Another competition's URL with this thread's id, and this thread's post under another thread.
        String elsewhere = "/competitions/" + TestCompetitions.host(mvc, other) + "/discussion/" + thread;
        expect(r -> get(elsewhere), HIDDEN, HIDDEN, HIDDEN, HIDDEN);
        expect(r -> post(elsewhere + "/replies").param("body", "b").with(csrf()), REDIRECT, HIDDEN, HIDDEN, HIDDEN);
        expect(r -> post(elsewhere + "/pin").param("pinned", "false").with(csrf()), REDIRECT, HIDDEN, HIDDEN, HIDDEN);
        expect(r -> get(elsewhere + "/posts/" + opening + "/edit"), REDIRECT, HIDDEN, HIDDEN, HIDDEN);
        expect(r -> post(elsewhere + "/posts/" + opening + "/delete").param("reason", "r").with(csrf()),
                REDIRECT, HIDDEN, HIDDEN, HIDDEN);
        long second = jdbc.sql("SELECT id FROM discussion_threads WHERE author_id = ?").param(other.id()).query(Long.class).single();
        expect(r -> post(c + "/" + second + "/posts/" + opening + "/delete").param("reason", "r").with(csrf()),
                REDIRECT, HIDDEN, HIDDEN, HIDDEN);

        // Deleting: others are refused; the admin removes with a reason; the author deletes their own.
        assertThat(status(post(t + "/posts/" + opening + "/delete").param("reason", "r").with(csrf()), other)).isEqualTo(FORBIDDEN);
        assertThat(status(post(t + "/posts/" + opening + "/delete").param("reason", "r").with(csrf()), null)).isEqualTo(REDIRECT);
        assertThat(jdbc.sql("SELECT deleted_at IS NULL FROM discussion_posts WHERE id = ?").param(opening).query(Boolean.class)
                .single()).isTrue();
        long reply = jdbc.sql("SELECT max(id) FROM discussion_posts WHERE thread_id = ? AND author_id = ?")
                .params(thread, other.id()).query(Long.class).single();
        assertThat(status(post(t + "/posts/" + reply + "/delete").param("reason", "spam").with(csrf()), admin)).isEqualTo(REDIRECT);
        assertThat(status(post(t + "/posts/" + opening + "/delete").with(csrf()), owner)).isEqualTo(REDIRECT);
        assertThat(jdbc.sql("SELECT deleted_as FROM discussion_posts WHERE id IN (?, ?) ORDER BY id").params(opening, reply)
                .query(String.class).list()).containsExactly("AUTHOR", "MODERATOR");
    }

    private void expect(Function<Void, MockHttpServletRequestBuilder> request, int anonymous, int asOwner, int asOther,
                        int asAdmin) throws Exception {
        List<Integer> actual = new ArrayList<>();
        actual.add(status(request.apply(null), null));
        actual.add(status(request.apply(null), owner));
        actual.add(status(request.apply(null), other));
        actual.add(status(request.apply(null), admin));
        assertThat(actual).as(request.apply(null).buildRequest(new org.springframework.mock.web.MockServletContext()).getRequestURI())
                .containsExactly(anonymous, asOwner, asOther, asAdmin);
    }

    private int status(AbstractMockHttpServletRequestBuilder<?> request, AccountPrincipal as) throws Exception {
        if (as != null) {
            request.with(user(as));
        }
        return mvc.perform(request).andReturn().getResponse().getStatus();
    }
}
