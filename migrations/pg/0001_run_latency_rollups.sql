CREATE TABLE "run_latency_rollups" (
	"run" text NOT NULL,
	"span" bigint NOT NULL,
	"bucket" bigint NOT NULL,
	"side" text NOT NULL,
	"bin" integer NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "run_latency_rollups_run_span_bucket_side_bin_pk" PRIMARY KEY("run","span","bucket","side","bin")
);
