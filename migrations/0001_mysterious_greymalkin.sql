ALTER TABLE `discrepancies` ADD `differences_total` integer;--> statement-breakpoint
ALTER TABLE `discrepancies` ADD `secondary_differences_total` integer;