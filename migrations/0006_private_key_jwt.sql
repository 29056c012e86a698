CREATE TABLE `client_assertion_jtis` (
	`client_id` text NOT NULL,
	`jti` text NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`client_id`, `jti`)
);
--> statement-breakpoint
CREATE INDEX `client_assertion_jtis_expiry_idx` ON `client_assertion_jtis` (`client_id`,`expires_at`);--> statement-breakpoint
CREATE INDEX `client_assertion_jtis_purge_idx` ON `client_assertion_jtis` (`expires_at`);--> statement-breakpoint
ALTER TABLE `clients` ADD `token_endpoint_auth_method` text DEFAULT 'client_secret_basic' NOT NULL;--> statement-breakpoint
ALTER TABLE `clients` ADD `jwks` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `jwks_uri` text;--> statement-breakpoint
ALTER TABLE `clients` ADD `key_privileges` text;