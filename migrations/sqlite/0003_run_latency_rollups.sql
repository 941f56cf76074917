CREATE TABLE `run_latency_rollups` (
	`run` text NOT NULL,
	`span` integer NOT NULL,
	`bucket` integer NOT NULL,
	`side` text NOT NULL,
	`bin` integer NOT NULL,
	`count` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`run`, `span`, `bucket`, `side`, `bin`)
);
