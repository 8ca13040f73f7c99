package ai.aicrypto.plaza.compute.internal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import ai.aicrypto.plaza.account.AccountPrincipal;
import ai.aicrypto.plaza.model.card.ModelCard;
import ai.aicrypto.plaza.model.card.ModelCardValidator;
import ai.aicrypto.plaza.support.SklearnData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/** The Easy AI Builder through its routes: each step's checks, the estimate and the job it queues. */
class BuilderTest extends ComputeWebTest {

    AccountPrincipal me;
    long myData;
    long model;

    @BeforeEach
    void myDataAndAModel() throws Exception {
        me = users.member();
        myData = irisDataset(me, "5");
        model = irisModel(users.member());
    }

    @Test
    void offersMyDatasetsAndLicensedOnesOnly() throws Exception {
        AccountPrincipal other = users.member();
        long freeOfOthers = irisDataset(other, "0");
        long paidOfOthers = irisDataset(other, "3");
        assertThat(body(get("/builder"))).as("a free dataset needs its free license first")
                .doesNotContain("value=\"" + freeOfOthers + "\"");
        mvc.perform(post("/listings/" + freeOfOthers + "/license").with(user(me)).with(csrf())).andExpect(status().isOk());
        String step1 = body(get("/builder"));
        assertThat(step1).contains("value=\"" + myData + "\"").contains("value=\"" + freeOfOthers + "\"")
                .doesNotContain("value=\"" + paidOfOthers + "\"");

        String refused = body(get("/builder").param("datasetId", String.valueOf(paidOfOthers)).param("step", "2"));
        assertThat(refused).contains("Choose a dataset you may use.").contains("class=\"current\">1. Dataset");
        assertThat(body(get("/builder").header("Accept-Language", "ko")
                .param("datasetId", String.valueOf(paidOfOthers)).param("step", "2"))).contains("사용할 수 있는 데이터셋을 고르세요.");
    }

    @Test
    void aPaidModelCardIsATemplateOnlyForItsOwnerAndLicensees() throws Exception {
        long paid = irisModel(users.member(), "3");
        onlineWorker(users.member(), "0.5", 1000.0);
        assertThat(body(steps(2))).contains("value=\"" + model + "\"").doesNotContain("value=\"" + paid + "\"");

        long jobsBefore = count("training_jobs");
        MockHttpServletResponse refused = mvc.perform(with(post("/builder")).with(csrf())
                        .param("datasetId", String.valueOf(myData)).param("modelId", String.valueOf(paid))
                        .param("offer", "cheapest").param("budget", "10"))
                .andReturn().getResponse();
        assertThat(refused.getStatus()).isEqualTo(200);
        assertThat(refused.getContentAsString())
                .contains("This model card is for sale: buy a license on its page to train with it.")
                .contains("class=\"current\">2. Model");
        assertThat(count("training_jobs")).isEqualTo(jobsBefore);
        assertThat(body(get("/builder").header("Accept-Language", "ko").param("datasetId", String.valueOf(myData))
                .param("modelId", String.valueOf(paid)).param("step", "3")))
                .contains("판매 중인 모델 카드입니다. 이 카드로 학습하려면 모델 페이지에서 라이선스를 구매하세요.");

        license(paid);
        assertThat(body(steps(2))).contains("value=\"" + paid + "\"");
        MockHttpServletResponse submitted = mvc.perform(with(post("/builder")).with(csrf())
                        .param("datasetId", String.valueOf(myData)).param("modelId", String.valueOf(paid))
                        .param("offer", "cheapest").param("budget", "10"))
                .andReturn().getResponse();
        long job = Long.parseLong(submitted.getRedirectedUrl().replace("/jobs/", ""));
        assertThat(jdbc.sql("SELECT model_id FROM training_jobs WHERE id = ?").param(job).query(Long.class).single())
                .isEqualTo(paid);
    }

    @Test
    void aModelMustTakeTheDatasetsFeatures() throws Exception {
        long twoColumns = csvDataset(me, "0", "y", "a,b,y\n1,2,x\n3,4,z\n");
        String page = body(get("/builder").param("datasetId", String.valueOf(twoColumns))
                .param("modelId", String.valueOf(model)).param("step", "3"));
        assertThat(page).contains("The dataset has 2 features per record; this model expects 4.");
    }

    @Test
    void aModelMustPredictTheDatasetsClassesOrNumber() throws Exception {
        long twoClasses = csvDataset(me, "0", "species",
                "sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,a\n7.0,3.2,4.7,1.4,b\n");
        assertThat(body(get("/builder").param("datasetId", String.valueOf(twoClasses))
                .param("modelId", String.valueOf(model)).param("step", "3")))
                .contains("The dataset has 2 classes; this model predicts 3.");
        StringBuilder prices = new StringBuilder("sepal_length,sepal_width,petal_length,petal_width,price\n");
        for (int i = 0; i < 150; i++) {
            prices.append(i % 7).append(',').append(i % 5).append(',').append(i % 3).append(',').append(i % 2)
                    .append(',').append(i * 1.5).append('\n');
        }
        long regression = csvDataset(me, "0", "price", prices.toString());
        assertThat(body(get("/builder").param("datasetId", String.valueOf(regression))
                .param("modelId", String.valueOf(model)).param("step", "3")))
                .contains("This model predicts classes, but the dataset&#39;s label is a number to predict.");
    }

    @Test
    void anyDatasetGetsRecommendedModelsMadeForItAndTrainingOneMakesItTheRequestersCard() throws Exception {
        long wine = csvDataset(me, "0", "cultivar", SklearnData.wineCsv());
        onlineWorker(users.member(), "0.5", 1000.0);

        String step2 = body(get("/builder").param("datasetId", String.valueOf(wine)).param("step", "2"));
        assertThat(step2).as("the iris card is listed, but says why it cannot learn wine")
                .contains("The dataset has 13 features per record; this model expects 4.");
        assertThat(step2).contains("Recommended for this dataset").contains("value=\"recommended:mlp\"")
                .contains("value=\"recommended:linear\"").contains("Gives each of the 13 features its own weight.")
                .contains("value=\"recommended:gbdt\"").contains("Builds 100 rounds of small decision trees (up to 3 levels deep)");
        assertThat(step2.indexOf("recommended:gbdt")).as("trees first: usually best on tables")
                .isLessThan(step2.indexOf("recommended:mlp"));
        assertThat(body(get("/builder").header("Accept-Language", "ko").param("datasetId", String.valueOf(wine))
                .param("step", "2"))).contains("이 데이터셋에 추천하는 모델").contains("신경망");
        assertThat(body(get("/builder").param("datasetId", String.valueOf(wine)).param("modelId", "recommended:mlp")
                .param("step", "3"))).contains("name=\"hp[epochs]\"").contains("from 0.00001 to 1");
        assertThat(body(get("/builder").param("datasetId", String.valueOf(wine)).param("modelId", "recommended:cnn")
                .param("step", "3"))).contains("Choose a model template.");

        long cardsBefore = count("models");
        MockHttpServletResponse submitted = mvc.perform(with(post("/builder")).with(csrf())
                        .param("datasetId", String.valueOf(wine)).param("modelId", "recommended:mlp")
                        .param("offer", "cheapest").param("budget", "10"))
                .andReturn().getResponse();
        long job = Long.parseLong(submitted.getRedirectedUrl().replace("/jobs/", ""));
        long card = jdbc.sql("SELECT model_id FROM training_jobs WHERE id = ?").param(job).query(Long.class).single();
        assertThat(count("models")).isEqualTo(cardsBefore + 1);
        assertThat(jdbc.sql("SELECT owner_id = ? AND status <> 'PUBLISHED' FROM listings WHERE id = ?").params(me.id(), card)
                .query(Boolean.class).single()).as("the requester's private card").isTrue();
        ModelCard made = new ModelCardValidator().parse(models.cardJson(card));
        assertThat(made.inputFeatureCount()).isEqualTo(13);
        assertThat(made.classes()).containsExactly("class_0", "class_1", "class_2");
        assertThat(made.architectureTemplate()).isEqualTo("mlp");
    }

    @Test
    void aTableGetsGradientBoostedTreesWithTheirOwnSettingsAndTrainingThemMakesATreeCard() throws Exception {
        long wine = csvDataset(me, "0", "cultivar", SklearnData.wineCsv());
        onlineWorker(users.member(), "0.5", 1000.0);
        String step3 = body(get("/builder").param("datasetId", String.valueOf(wine)).param("modelId", "recommended:gbdt")
                .param("step", "3"));
        assertThat(step3).contains("name=\"hp[rounds]\"").contains("name=\"hp[maxDepth]\"").contains("name=\"hp[eta]\"")
                .contains("name=\"hp[subsample]\"").contains("name=\"hp[minChildWeight]\"").contains("name=\"hp[lambda]\"")
                .contains("Boosting rounds").doesNotContain("name=\"hp[optimizer]\"").doesNotContain("name=\"hp[epochs]\"");
        assertThat(body(get("/builder").header("Accept-Language", "ko").param("datasetId", String.valueOf(wine))
                .param("modelId", "recommended:gbdt").param("step", "3"))).contains("부스팅 횟수");
        assertThat(body(get("/builder").param("datasetId", String.valueOf(wine)).param("modelId", "recommended:gbdt")
                .param("hp[maxDepth]", "40").param("step", "4"))).contains("Must be between 1 and 16.");

        MockHttpServletResponse submitted = mvc.perform(with(post("/builder")).with(csrf())
                        .param("datasetId", String.valueOf(wine)).param("modelId", "recommended:gbdt").param("hp[rounds]", "20")
                        .param("offer", "cheapest").param("budget", "10"))
                .andReturn().getResponse();
        long job = Long.parseLong(submitted.getRedirectedUrl().replace("/jobs/", ""));
        assertThat(jdbc.sql("SELECT hyperparameters ->> 'rounds' FROM training_jobs WHERE id = ?").param(job)
                .query(String.class).single()).isEqualTo("20");
        ModelCard made = new ModelCardValidator().parse(models.cardJson(
                jdbc.sql("SELECT model_id FROM training_jobs WHERE id = ?").param(job).query(Long.class).single()));
        assertThat(made.isTrees()).isTrue();
        assertThat(made.specVersion()).isEqualTo("1.2");
        assertThat(made.engine()).isEqualTo("xgboost");
        assertThat(body(get("/jobs/" + job))).as("the job page counts the rounds like epochs").contains("20");
    }

    @Test
    void imagesGetNoTrees() throws Exception {
        var images = new ai.aicrypto.plaza.dataset.format.Preprocessing(1, ai.aicrypto.plaza.dataset.format.Preprocessing.IMAGE,
                List.of(), new ai.aicrypto.plaza.dataset.format.Preprocessing.Image(28, 28, 1, 1 / 255.0),
                new ai.aicrypto.plaza.dataset.format.Preprocessing.Label("label", List.of("a", "b")));
        assertThat(ai.aicrypto.plaza.model.card.RecommendedModels.forDataset("Digits", images, 1000))
                .extracting(ai.aicrypto.plaza.model.card.RecommendedModels.Recommendation::key)
                .containsExactly("cnn", "cnn-deep", "mlp", "linear");
    }

    @Test
    void hyperparametersStartAtTheCardsDefaultsAndMustStayInItsRanges() throws Exception {
        String step3 = body(steps(3));
        assertThat(step3).contains("name=\"hp[learningRate]\"").contains("value=\"0.1\"").contains("from 0.001 to 1")
                .contains("name=\"hp[epochs]\"").contains("value=\"100\"");

        String tooHigh = body(steps(4).param("hp[learningRate]", "5").param("hp[epochs]", "2.5")
                .param("hp[batchSize]", "many").param("hp[optimizer]", "lbfgs"));
        assertThat(tooHigh).contains("Must be between 0.001 and 1.").contains("Must be a whole number.")
                .contains("“many” is not a number.").contains("Choose one of: sgd, adam.")
                .contains("class=\"current\">3. Settings");
        assertThat(body(steps(4).header("Accept-Language", "ko").param("hp[learningRate]", "5")))
                .contains("0.001에서 1 사이여야 합니다.");
    }

    @Test
    void withNoGpuOnlineThereIsNothingToChoose() throws Exception {
        assertThat(body(steps(4))).contains("No GPU is online right now.");
        assertThat(body(steps(5).param("offer", "cheapest").param("budget", "10"))).contains("No GPU is online right now.");
    }

    @Test
    void theEstimateFollowsTheStatedFormulaAndTheJobIsQueuedForTheChosenOffer() throws Exception {
        AccountPrincipal provider = users.member();
        Worker cheap = onlineWorker(provider, "0.5", 1000.0);
        Worker fast = onlineWorker(provider, "7.2", 50_000.0);

        String review = body(steps(5).param("hp[epochs]", "900").param("offer", String.valueOf(cheap.offerId()))
                .param("budget", "10"));
        // 4 rows x 900 epochs x (4x3+3 weights / 235,146 reference weights) / 1,000 samples/s = 0.00023 s.
        PriceEstimate expected = PriceEstimate.of(4, 900, models.templateFor(me.id(), model).orElseThrow().card(), 1000.0,
                new BigDecimal("0.5"));
        assertThat(expected.seconds()).isCloseTo(4 * 900 * 15 / 235_146.0 / 1000, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(review).contains("at most " + expected.costAic().toPlainString() + " AIC").contains("The most the provider is paid for the training");

        MockHttpServletResponse submitted = mvc.perform(with(post("/builder")).with(csrf())
                        .param("datasetId", String.valueOf(myData)).param("modelId", String.valueOf(model))
                        .param("hp[epochs]", "900").param("hp[optimizer]", "adam").param("offer", "fastest").param("budget", "10"))
                .andReturn().getResponse();
        assertThat(submitted.getStatus()).isEqualTo(302);
        long job = Long.parseLong(submitted.getRedirectedUrl().replace("/jobs/", ""));
        Map<String, Object> row = jdbc.sql("""
                        SELECT requester_id, dataset_id, model_id, offer_id, budget_aic, status,
                               hyperparameters ->> 'epochs' AS epochs, hyperparameters ->> 'optimizer' AS optimizer,
                               hyperparameters ->> 'learningRate' AS lr
                        FROM training_jobs WHERE id = ?""").param(job).query().singleRow();
        assertThat(row).containsEntry("requester_id", me.id()).containsEntry("dataset_id", myData)
                .containsEntry("model_id", model).containsEntry("offer_id", fast.offerId()).containsEntry("status", "QUEUED")
                .containsEntry("epochs", "900").containsEntry("optimizer", "adam").containsEntry("lr", "0.1");
        assertThat((BigDecimal) row.get("budget_aic")).isEqualByComparingTo("10");
    }

    @Test
    void cheapestAndFastestPassOverOffersThatFailVerificationTooOften() throws Exception {
        AccountPrincipal provider = users.member();
        Worker sloppy = onlineWorker(provider, "0.01", 90_000.0);
        Worker honest = onlineWorker(provider, "0.5", 1000.0);
        jdbc.sql("UPDATE workers SET verified_jobs = 1, rejected_jobs = 3 WHERE offer_id = ?").param(sloppy.offerId()).update();
        jdbc.sql("UPDATE workers SET verified_jobs = 9, rejected_jobs = 1 WHERE offer_id = ?").param(honest.offerId()).update();

        String gpuStep = body(steps(4));
        assertThat(gpuStep).contains("1 of 4 verified (25 %)").contains("9 of 10 verified (90 %)");
        MockHttpServletResponse submitted = mvc.perform(with(post("/builder")).with(csrf())
                        .param("datasetId", String.valueOf(myData)).param("modelId", String.valueOf(model))
                        .param("offer", "cheapest").param("budget", "10"))
                .andReturn().getResponse();
        long job = Long.parseLong(submitted.getRedirectedUrl().replace("/jobs/", ""));
        assertThat(jdbc.sql("SELECT offer_id FROM training_jobs WHERE id = ?").param(job).query(Long.class).single())
                .isEqualTo(honest.offerId());

        String offersPage = mvc.perform(get("/gpus")).andReturn().getResponse().getContentAsString();
        assertThat(offersPage).contains("id=\"untrusted-note\"").contains("1 of 4 verified (25 %)");
        assertThat(mvc.perform(get("/gpus").param("lang", "ko")).andReturn().getResponse().getContentAsString())
                .contains("4건 중 1건 검증 (25 %)");
    }

    @Test
    void aJobOverBudgetIsNotQueued() throws Exception {
        Worker slow = onlineWorker(users.member(), "1000", 0.001);
        long jobsBefore = count("training_jobs");
        MockHttpServletResponse response = mvc.perform(with(post("/builder")).with(csrf())
                        .param("datasetId", String.valueOf(myData)).param("modelId", String.valueOf(model))
                        .param("offer", String.valueOf(slow.offerId())).param("budget", "0.5"))
                .andReturn().getResponse();
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat(response.getContentAsString()).contains("is above your budget (0.5 AIC)");
        assertThat(body(steps(5).param("offer", String.valueOf(slow.offerId())).param("budget", "zero")))
                .contains("“zero” is not a number.");
        assertThat(count("training_jobs")).isEqualTo(jobsBefore);
    }

    @Test
    void aSweepQueuesItsTrialsAsJobsSharingOneBudget() throws Exception {
        Worker worker = onlineWorker(users.member(), "0.5", 1000.0);
        // another offer the builder would pick, whose estimate fits a trial's share: the trials are spread over the fleet
        onlineWorker(users.member(), "0.5", 1000.0);
        // 4 trials over learningRate, batchSize and weightDecay: a 2 x 2 grid of the first two, from each range's ends
        assertThat(body(steps(5).param("hp[epochs]", "30").param("trials", "4").param("search", "grid")
                .param("offer", String.valueOf(worker.offerId())).param("budget", "10")))
                .contains("4 trials, grid (evenly spaced values, every combination); each trial at most 2.5 AIC")
                .containsPattern("id=\"review-varied\">.*\\s*<span>Learning rate,</span>\\s*<span>Batch size</span></dd>")
                .contains("Only the best trial&#39;s weights are kept.").contains("id=\"review-offers\"")
                .doesNotContain("id=\"review-random\"");
        MockHttpServletResponse submitted = mvc.perform(with(post("/builder")).with(csrf()).param("datasetId", String.valueOf(myData))
                        .param("modelId", String.valueOf(model)).param("hp[epochs]", "30").param("trials", "4").param("search", "grid")
                        .param("offer", String.valueOf(worker.offerId())).param("budget", "10"))
                .andReturn().getResponse();
        assertThat(submitted.getRedirectedUrl()).startsWith("/sweeps/");
        long sweep = Long.parseLong(submitted.getRedirectedUrl().replace("/sweeps/", ""));
        var trials = jdbc.sql("""
                        SELECT (hyperparameters ->> 'learningRate') || ' ' || (hyperparameters ->> 'batchSize') || ' '
                               || (hyperparameters ->> 'epochs') || ' ' || budget_aic::text || ' ' || status
                        FROM training_jobs WHERE sweep_id = ? AND requester_id = ?""")
                .params(sweep, me.id()).query(String.class).list();
        String rest = " 30 2.500000000000000000 QUEUED";
        assertThat(trials).containsExactlyInAnyOrder("0.001 1" + rest, "1 1" + rest, "0.001 150" + rest, "1 150" + rest);
        List<Long> placed = jdbc.sql("SELECT offer_id FROM training_jobs WHERE sweep_id = ? ORDER BY id").param(sweep)
                .query(Long.class).list();
        assertThat(placed.get(0)).as("the first trial on the chosen offer").isEqualTo(worker.offerId());
        assertThat(new java.util.HashSet<>(placed)).as("the others on other offers in turn").hasSizeGreaterThan(1);
        assertThat(body(get("/sweeps/" + sweep))).contains("10 AIC for 4 trials").contains("id=\"trials\"")
                .contains("learningRate = 0.001");
        long trial = jdbc.sql("SELECT min(id) FROM training_jobs WHERE sweep_id = ?").param(sweep).query(Long.class).single();
        assertThat(body(get("/jobs/" + trial))).contains("a trial of sweep #" + sweep).contains("href=\"/sweeps/" + sweep + "\"");

        // a random search draws every varied setting (and the optimizer) within the card's ranges, when it starts
        assertThat(body(steps(5).param("trials", "3").param("search", "random").param("offer", String.valueOf(worker.offerId()))
                .param("budget", "1"))).contains("id=\"review-random\"").contains("drawn when you start the sweep");
        String random = mvc.perform(with(post("/builder")).with(csrf()).param("datasetId", String.valueOf(myData))
                        .param("modelId", String.valueOf(model)).param("trials", "3").param("search", "random").param("keepAll", "true")
                        .param("offer", String.valueOf(worker.offerId())).param("budget", "1"))
                .andReturn().getResponse().getRedirectedUrl();
        long randomSweep = Long.parseLong(random.replace("/sweeps/", ""));
        assertThat(jdbc.sql("SELECT keep_all FROM training_sweeps WHERE id = ?").param(randomSweep).query(Boolean.class).single()).isTrue();
        var drawn = jdbc.sql("SELECT hyperparameters::text FROM training_jobs WHERE sweep_id = ?").param(randomSweep)
                .query(String.class).list();
        assertThat(drawn).hasSize(3);
        ModelCard card = models.templateFor(me.id(), model).orElseThrow().card();
        for (String values : drawn) {
            Map<String, Object> parsed = new tools.jackson.databind.json.JsonMapper().readValue(values, Map.class);
            card.hyperparameters().forEach(h -> assertThat(h.accepts(parsed.get(h.name()) instanceof Number n
                    ? new BigDecimal(n.toString()) : parsed.get(h.name()))).as(h.name() + " in " + values).isTrue());
        }
    }

    @Test
    void aSweepOverBudgetIsRefusedInTheMembersLanguageAndNothingIsStored() throws Exception {
        Worker slow = onlineWorker(users.member(), "1000", 0.001);
        long jobs = count("training_jobs"), sweeps = count("training_sweeps"), listings = count("listings");
        // each trial's 10 epochs cost at most 0.7093... AIC here: one fits a budget of 1, three do not
        var request = post("/builder").with(csrf()).param("datasetId", String.valueOf(myData)).param("modelId", "recommended:mlp")
                .param("hp[epochs]", "10").param("trials", "3").param("offer", String.valueOf(slow.offerId())).param("budget", "1");
        String english = body(request);
        assertThat(english).contains("3 trials cost at most").contains("together (").contains("and your budget is 1 AIC")
                .contains("id=\"error-budget\"");
        assertThat(body(post("/builder").with(csrf()).locale(java.util.Locale.KOREAN).param("datasetId", String.valueOf(myData))
                .param("modelId", "recommended:mlp").param("hp[epochs]", "10").param("trials", "3")
                .param("offer", String.valueOf(slow.offerId())).param("budget", "1")))
                .contains("시도 3회의 비용은 합계 최대").contains("예산은 1 AIC입니다");
        assertThat(count("training_jobs")).isEqualTo(jobs);
        assertThat(count("training_sweeps")).isEqualTo(sweeps);
        assertThat(count("listings")).as("no card made for the recommended model").isEqualTo(listings);

        assertThat(body(steps(4).param("trials", "9"))).contains("Trials must be a whole number from 2 to 8")
                .contains("id=\"error-trials\"");
        assertThat(body(steps(4).param("trials", "3").param("search", "bayesian"))).contains("Choose a grid or a random search.");
    }

    @Test
    void someoneElsesPaidDatasetGoesOnlyToAVettedOfferNeverToABrandNewCheaperOne() throws Exception {
        AccountPrincipal seller = users.member();
        long licensed = irisDataset(seller, "3");
        license(licensed);
        Worker vetted = onlineWorker(users.member(), "0.5", 1000.0);
        jdbc.sql("UPDATE workers SET verified_jobs = 9, rejected_jobs = 1 WHERE offer_id = ?").param(vetted.offerId()).update();
        Worker brandNew = onlineWorker(users.member(), "0.01", 90_000.0);

        MockHttpServletResponse submitted = mvc.perform(with(post("/builder")).with(csrf())
                        .param("datasetId", String.valueOf(licensed)).param("modelId", String.valueOf(model))
                        .param("offer", "cheapest").param("budget", "10"))
                .andReturn().getResponse();
        long job = Long.parseLong(submitted.getRedirectedUrl().replace("/jobs/", ""));
        assertThat(jdbc.sql("SELECT offer_id FROM training_jobs WHERE id = ?").param(job).query(Long.class).single())
                .isEqualTo(vetted.offerId());

        long jobsBefore = count("training_jobs");
        MockHttpServletResponse refused = mvc.perform(with(post("/builder")).with(csrf())
                        .param("datasetId", String.valueOf(licensed)).param("modelId", String.valueOf(model))
                        .param("offer", String.valueOf(brandNew.offerId())).param("budget", "10"))
                .andReturn().getResponse();
        assertThat(refused.getContentAsString()).contains("licensed to you, not to GPU providers");
        assertThat(count("training_jobs")).isEqualTo(jobsBefore);
        // On my own data the new offer is mine to choose.
        MockHttpServletResponse own = mvc.perform(with(post("/builder")).with(csrf())
                        .param("datasetId", String.valueOf(myData)).param("modelId", String.valueOf(model))
                        .param("offer", String.valueOf(brandNew.offerId())).param("budget", "10"))
                .andReturn().getResponse();
        assertThat(own.getRedirectedUrl()).startsWith("/jobs/");

        // Once the seller allows offers without a record, the licensee may pick the new one.
        mvc.perform(post("/datasets/" + licensed + "/compute-policy").param("allowUnvetted", "true").with(user(seller)).with(csrf()));
        MockHttpServletResponse allowed = mvc.perform(with(post("/builder")).with(csrf())
                        .param("datasetId", String.valueOf(licensed)).param("modelId", String.valueOf(model))
                        .param("offer", "cheapest").param("budget", "10"))
                .andReturn().getResponse();
        assertThat(jdbc.sql("SELECT offer_id FROM training_jobs WHERE id = ?")
                .param(Long.parseLong(allowed.getRedirectedUrl().replace("/jobs/", ""))).query(Long.class).single())
                .isEqualTo(brandNew.offerId());
    }

    @Test
    void anOfferThatWentOfflineCannotBeChosen() throws Exception {
        Worker gone = onlineWorker(users.member(), "1", 100.0);
        clock.advance(java.time.Duration.ofMinutes(10));
        onlineWorker(users.member(), "1", 100.0);
        assertThat(body(steps(5).param("offer", String.valueOf(gone.offerId())).param("budget", "10")))
                .contains("That GPU is not online now.");
    }

    /** A paid license of mine, as the chain watcher records a confirmed purchase. */
    private void license(long listing) {
        jdbc.sql("""
                        INSERT INTO licenses (listing_id, user_id, buyer_address, price_wei, tx_hash, log_index, chain_license)
                        VALUES (?, ?, '0x00000000000000000000000000000000000000aa', 3, ?, 0, 1)""")
                .params(listing, me.id(), String.format("0x%064x", listing)).update();
    }

    /**
     * The GPU step offers only offers with an online worker that trains the model's family, lists the others with why,
     * refuses one of them chosen by id, and says so when none trains it; a sweep's trials go to fitting offers only. A
     * worker that reports nothing is taken to train dense networks only.
     */
    @Test
    void onlyOffersWhoseWorkersTrainTheModelsFamilyAreOfferedAndTheOthersSayWhy() throws Exception {
        jdbc.sql("UPDATE workers SET last_heartbeat = now() - interval '1 day'").update(); // other tests' workers
        long wine = csvDataset(me, "0", "cultivar", SklearnData.wineCsv());
        Worker dense = onlineWorker(users.member(), "0.1", 5000.0, Map.of("mlp", "gpu", "softmax-regression", "gpu"));
        Worker old = onlineWorker(users.member(), "0.2", 4000.0, null);
        var trees = get("/builder").param("datasetId", String.valueOf(wine)).param("modelId", "recommended:gbdt");
        assertThat(body(trees.param("step", "4"))).contains("No online GPU trains gradient-boosted trees models right now")
                .doesNotContain("name=\"offer\" value=\"" + dense.offerId() + "\"");
        assertThat(body(get("/builder").header("Accept-Language", "ko").param("datasetId", String.valueOf(wine))
                .param("modelId", "recommended:gbdt").param("step", "4"))).contains("지금 그래디언트 부스팅 트리 모델을 학습하는 온라인 GPU가 없습니다");

        Worker treesToo = onlineWorker(users.member(), "0.5", 1000.0);
        String step4 = body(get("/builder").param("datasetId", String.valueOf(wine)).param("modelId", "recommended:gbdt")
                .param("step", "4"));
        assertThat(step4).contains("value=\"" + treesToo.offerId() + "\"").doesNotContain("value=\"" + dense.offerId() + "\"")
                .doesNotContain("value=\"" + old.offerId() + "\"")
                .contains("id=\"unfit-offer-" + dense.offerId() + "\"")
                .containsPattern("Not offered: RTX 4090 · GPU \\d+\\. Its workers train MLP \\(dense network\\), softmax regression, not gradient-boosted trees\\.")
                .contains("id=\"unfit-offer-" + old.offerId() + "\"");
        String chosen = body(get("/builder").param("datasetId", String.valueOf(wine)).param("modelId", "recommended:gbdt")
                .param("step", "5").param("offer", String.valueOf(dense.offerId())).param("budget", "10"));
        assertThat(chosen).contains("does not train gradient-boosted trees models").doesNotContain("id=\"review\"");
        MockHttpServletResponse cheapest = mvc.perform(with(post("/builder")).with(csrf()).param("datasetId", String.valueOf(wine))
                .param("modelId", "recommended:gbdt").param("offer", "cheapest").param("budget", "10")).andReturn().getResponse();
        long job = Long.parseLong(cheapest.getRedirectedUrl().replace("/jobs/", ""));
        assertThat(jdbc.sql("SELECT offer_id FROM training_jobs WHERE id = ?").param(job).query(Long.class).single())
                .as("the cheapest offer that trains trees").isEqualTo(treesToo.offerId());

        // a network: every offer trains it, the silent old worker's included
        String network = body(get("/builder").param("datasetId", String.valueOf(wine)).param("modelId", "recommended:mlp")
                .param("step", "4"));
        assertThat(network).contains("value=\"" + dense.offerId() + "\"").contains("value=\"" + old.offerId() + "\"")
                .contains("value=\"" + treesToo.offerId() + "\"").doesNotContain("id=\"unfit-offers\"");

        // a sweep of trees spreads its trials over the offers that train trees only
        onlineWorker(users.member(), "0.5", 1000.0);
        String sweep = mvc.perform(with(post("/builder")).with(csrf()).param("datasetId", String.valueOf(wine))
                        .param("modelId", "recommended:gbdt").param("trials", "3").param("search", "random")
                        .param("offer", String.valueOf(treesToo.offerId())).param("budget", "10"))
                .andReturn().getResponse().getRedirectedUrl();
        List<Long> placed = jdbc.sql("SELECT offer_id FROM training_jobs WHERE sweep_id = ?")
                .param(Long.parseLong(sweep.replace("/sweeps/", ""))).query(Long.class).list();
        assertThat(placed).hasSize(3).doesNotContain(dense.offerId(), old.offerId());
        assertThat(new java.util.HashSet<>(placed)).hasSize(2);
    }

    /** The wizard asked for {@code step} with a valid dataset and model chosen. */
    private MockHttpServletRequestBuilder steps(int step) {
        return get("/builder").param("datasetId", String.valueOf(myData)).param("modelId", String.valueOf(model))
                .param("step", String.valueOf(step));
    }

    private MockHttpServletRequestBuilder with(MockHttpServletRequestBuilder request) {
        return request.with(user(me));
    }

    private String body(MockHttpServletRequestBuilder request) throws Exception {
        MockHttpServletResponse response = mvc.perform(with(request)).andReturn().getResponse();
        assertThat(response.getStatus()).isEqualTo(200);
        return response.getContentAsString();
    }
}
