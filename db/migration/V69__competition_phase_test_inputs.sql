-- What a phase's test inputs are: none, a table (a CSV) or images (a ZIP of images named by their ids). Until now the
-- stored file's name said it ("...-test-images.zip"); existing phases take it from there.
ALTER TABLE competition_phases
    ADD COLUMN test_inputs VARCHAR(6) NOT NULL DEFAULT 'NONE' CHECK (test_inputs IN ('NONE', 'TABLE', 'IMAGES'));

UPDATE competition_phases p
SET test_inputs = CASE WHEN f.file_name LIKE '%-test-images.zip' THEN 'IMAGES' ELSE 'TABLE' END
FROM competition_files f
WHERE f.phase_id = p.id AND f.kind = 'TEST_INPUTS';

-- A data competition's training job is followed by the submitting team's members (SubmissionJobWatchers): found by
-- the job, for any visitor of its page.
CREATE INDEX submissions_training_job ON submissions (training_job_id) WHERE training_job_id IS NOT NULL;
