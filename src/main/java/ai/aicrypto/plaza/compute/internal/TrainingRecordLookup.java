package ai.aicrypto.plaza.compute.internal;

import ai.aicrypto.plaza.compute.TrainingRecords;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

@Component
class TrainingRecordLookup implements TrainingRecords {

    private final JdbcClient jdbc;

    TrainingRecordLookup(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public boolean isTrainedModel(long modelListingId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM training_records WHERE trained_model_id = ?)").param(modelListingId)
                .query(Boolean.class).single();
    }
}
