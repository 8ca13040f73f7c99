-- Fine-tuning: a trained model may start from another model's weights (its parent). The job names the parent its
-- worker receives, and the model it produces keeps the name, so the chain data -> model -> fine-tuned model shows on
-- both models' pages.
ALTER TABLE training_jobs ADD COLUMN parent_model_id BIGINT REFERENCES models (listing_id) ON DELETE SET NULL;
ALTER TABLE models ADD COLUMN parent_model_id BIGINT REFERENCES models (listing_id) ON DELETE SET NULL;
CREATE INDEX models_parent_idx ON models (parent_model_id) WHERE parent_model_id IS NOT NULL;
