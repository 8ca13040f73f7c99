-- A ZIP of image folders is stored with the format IMAGE_FOLDERS, longer than the eight characters CSV/TSV/IDX needed.
ALTER TABLE datasets ALTER COLUMN format TYPE VARCHAR(16);
