-- Images in an object store: image_blob.storage_uri names the object (s3://bucket/key) and
-- bytes is null. The object sweep asks which of a page of listed objects rows still reference.
SET LOCAL search_path = "${flyway:defaultSchema}", "${vector_schema}";

CREATE INDEX image_blob_storage_uri_idx ON image_blob (storage_uri) WHERE storage_uri IS NOT NULL;
