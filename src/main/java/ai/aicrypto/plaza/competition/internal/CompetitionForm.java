package ai.aicrypto.plaza.competition.internal;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.multipart.MultipartFile;

/** The hosting form; times are UTC (datetime-local inputs). Public with accessors for data binding. */
public class CompetitionForm {

    /**
     * {@link #kind} of a competition for predictions (files or models), of a code competition (models only, run on test
     * inputs participants never see) and of one for training data.
     */
    public static final String PREDICTIONS = "PREDICTIONS", MODELS = "MODELS", DATA = "DATA";

    private String title = "";
    private String slug = "";
    private String overview = "";
    private String rules = "";
    private Long datasetId;
    private String dataDescription = "";
    private String metric = "ACCURACY";
    private int publicPercent = 30;
    @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
    private LocalDateTime startsAt;
    @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
    private LocalDateTime endsAt;
    @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
    private LocalDateTime mergeDeadline;
    private int submissionsPerDay = 5;
    private int finalSelections = 2;
    private int maxTeamSize = 5;
    private BigDecimal prizePoolAic = BigDecimal.ZERO;
    private String prizeSplit = "50,30,20";
    private String kind = PREDICTIONS;
    /** A data competition's model: a card listing, or the key of a recommended architecture for the training data. */
    private Long templateModelId;
    private String templateRecommendation = "";
    /** A data competition's hyperparameters, a JSON object (the card's defaults for those not named). */
    private String hyperparameters = "";
    /** A data competition's training time per submission, queueing on the fleet included. */
    private int trainingMinutes = 30;
    /** A data competition's training budget per submission, paid from the host's pool when jobs are paid on-chain. */
    private BigDecimal trainingBudgetAic = BigDecimal.ONE;
    /** How many submissions the host's training pool covers (the pool is the budget times this). */
    private int trainingSubmissions = 10;
    /** The first phase's name; empty for a competition without phases. */
    private String phaseName = "";
    /** When the first phase ends, for a competition whose host adds later phases; empty: at the competition's end. */
    @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
    private LocalDateTime firstPhaseEndsAt;
    /** The phases after the first, in order; the form offers {@value #LATER_PHASE_ROWS} rows, a blank one is none. */
    private List<LaterPhase> laterPhases = blankRows();

    /** Rows for later phases on the hosting form. */
    static final int LATER_PHASE_ROWS = 2;

    private static List<LaterPhase> blankRows() {
        List<LaterPhase> rows = new ArrayList<>();
        for (int i = 0; i < LATER_PHASE_ROWS; i++) {
            rows.add(new LaterPhase());
        }
        return rows;
    }

    /** A later phase on the hosting form: as the page's "add a phase" form has it. */
    public static class LaterPhase {
        private String name = "";
        @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
        private LocalDateTime opensAt;
        @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME)
        private LocalDateTime endsAt;
        private int submissionsPerDay = 5;
        private int publicPercent = 30;
        private MultipartFile solution;
        private MultipartFile testInputs;

        /** Nothing named, timed or uploaded: a row the host left empty. */
        public boolean blank() {
            return (name == null || name.isBlank()) && opensAt == null && endsAt == null && !chosen(solution)
                    && !chosen(testInputs);
        }

        static boolean chosen(MultipartFile part) {
            return part != null && part.getOriginalFilename() != null && !part.getOriginalFilename().isBlank();
        }

        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public LocalDateTime getOpensAt() { return opensAt; }
        public void setOpensAt(LocalDateTime opensAt) { this.opensAt = opensAt; }
        public LocalDateTime getEndsAt() { return endsAt; }
        public void setEndsAt(LocalDateTime endsAt) { this.endsAt = endsAt; }
        public int getSubmissionsPerDay() { return submissionsPerDay; }
        public void setSubmissionsPerDay(int submissionsPerDay) { this.submissionsPerDay = submissionsPerDay; }
        public int getPublicPercent() { return publicPercent; }
        public void setPublicPercent(int publicPercent) { this.publicPercent = publicPercent; }
        public MultipartFile getSolution() { return solution; }
        public void setSolution(MultipartFile solution) { this.solution = solution; }
        public MultipartFile getTestInputs() { return testInputs; }
        public void setTestInputs(MultipartFile testInputs) { this.testInputs = testInputs; }
    }

    public String getTitle() { return title; }
    public void setTitle(String title) { this.title = title; }
    public String getSlug() { return slug; }
    public void setSlug(String slug) { this.slug = slug; }
    public String getOverview() { return overview; }
    public void setOverview(String overview) { this.overview = overview; }
    public String getRules() { return rules; }
    public void setRules(String rules) { this.rules = rules; }
    public Long getDatasetId() { return datasetId; }
    public void setDatasetId(Long datasetId) { this.datasetId = datasetId; }
    public String getDataDescription() { return dataDescription; }
    public void setDataDescription(String dataDescription) { this.dataDescription = dataDescription; }
    public String getMetric() { return metric; }
    public void setMetric(String metric) { this.metric = metric; }
    public int getPublicPercent() { return publicPercent; }
    public void setPublicPercent(int publicPercent) { this.publicPercent = publicPercent; }
    public LocalDateTime getStartsAt() { return startsAt; }
    public void setStartsAt(LocalDateTime startsAt) { this.startsAt = startsAt; }
    public LocalDateTime getEndsAt() { return endsAt; }
    public void setEndsAt(LocalDateTime endsAt) { this.endsAt = endsAt; }
    public LocalDateTime getMergeDeadline() { return mergeDeadline; }
    public void setMergeDeadline(LocalDateTime mergeDeadline) { this.mergeDeadline = mergeDeadline; }
    public int getSubmissionsPerDay() { return submissionsPerDay; }
    public void setSubmissionsPerDay(int submissionsPerDay) { this.submissionsPerDay = submissionsPerDay; }
    public int getFinalSelections() { return finalSelections; }
    public void setFinalSelections(int finalSelections) { this.finalSelections = finalSelections; }
    public int getMaxTeamSize() { return maxTeamSize; }
    public void setMaxTeamSize(int maxTeamSize) { this.maxTeamSize = maxTeamSize; }
    public BigDecimal getPrizePoolAic() { return prizePoolAic; }
    public void setPrizePoolAic(BigDecimal prizePoolAic) { this.prizePoolAic = prizePoolAic; }
    public String getPrizeSplit() { return prizeSplit; }
    public void setPrizeSplit(String prizeSplit) { this.prizeSplit = prizeSplit; }
    public String getKind() { return kind; }
    public void setKind(String kind) { this.kind = kind; }
    public Long getTemplateModelId() { return templateModelId; }
    public void setTemplateModelId(Long templateModelId) { this.templateModelId = templateModelId; }
    public String getTemplateRecommendation() { return templateRecommendation; }
    public void setTemplateRecommendation(String templateRecommendation) { this.templateRecommendation = templateRecommendation; }
    public String getHyperparameters() { return hyperparameters; }
    public void setHyperparameters(String hyperparameters) { this.hyperparameters = hyperparameters; }
    public int getTrainingMinutes() { return trainingMinutes; }
    public void setTrainingMinutes(int trainingMinutes) { this.trainingMinutes = trainingMinutes; }
    public BigDecimal getTrainingBudgetAic() { return trainingBudgetAic; }
    public void setTrainingBudgetAic(BigDecimal trainingBudgetAic) { this.trainingBudgetAic = trainingBudgetAic; }
    public int getTrainingSubmissions() { return trainingSubmissions; }
    public void setTrainingSubmissions(int trainingSubmissions) { this.trainingSubmissions = trainingSubmissions; }
    public String getPhaseName() { return phaseName; }
    public void setPhaseName(String phaseName) { this.phaseName = phaseName; }
    public LocalDateTime getFirstPhaseEndsAt() { return firstPhaseEndsAt; }
    public void setFirstPhaseEndsAt(LocalDateTime firstPhaseEndsAt) { this.firstPhaseEndsAt = firstPhaseEndsAt; }
    public List<LaterPhase> getLaterPhases() { return laterPhases; }
    public void setLaterPhases(List<LaterPhase> laterPhases) { this.laterPhases = laterPhases; }
}
