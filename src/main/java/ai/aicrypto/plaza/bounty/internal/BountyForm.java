package ai.aicrypto.plaza.bounty.internal;

/** The create form of a data request, as typed; {@link BountyService#create} validates it. */
public class BountyForm {

    private String title;
    private String description;
    private String expectedColumns;
    private String labelColumn;
    private String minRows;
    private String qualityBar;
    private String license = "CC-BY-4.0";
    private String priceAic = "0";
    private String bountyAic;
    private String deadline;

    public String getTitle() { return title; }
    public void setTitle(String title) { this.title = title; }
    public String getDescription() { return description; }
    public void setDescription(String description) { this.description = description; }
    public String getExpectedColumns() { return expectedColumns; }
    public void setExpectedColumns(String expectedColumns) { this.expectedColumns = expectedColumns; }
    public String getLabelColumn() { return labelColumn; }
    public void setLabelColumn(String labelColumn) { this.labelColumn = labelColumn; }
    public String getMinRows() { return minRows; }
    public void setMinRows(String minRows) { this.minRows = minRows; }
    public String getQualityBar() { return qualityBar; }
    public void setQualityBar(String qualityBar) { this.qualityBar = qualityBar; }
    public String getLicense() { return license; }
    public void setLicense(String license) { this.license = license; }
    public String getPriceAic() { return priceAic; }
    public void setPriceAic(String priceAic) { this.priceAic = priceAic; }
    public String getBountyAic() { return bountyAic; }
    public void setBountyAic(String bountyAic) { this.bountyAic = bountyAic; }
    /** The deadline day (ISO date): submissions and acceptance until 00:00 UTC that day, refunds from then on. */
    public String getDeadline() { return deadline; }
    public void setDeadline(String deadline) { this.deadline = deadline; }
}
