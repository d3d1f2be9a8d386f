-- Attempts at guessing a secret (sign-in passwords, the enrollment secret), counted
-- per key (an account, an account from an address, an address) within a fixed
-- window. In the database, so every replica counts against the same rows.
CREATE TABLE auth_throttle (
  key text PRIMARY KEY,
  attempts integer NOT NULL,
  window_start timestamptz NOT NULL
);
-- Expired windows are deleted by their start.
CREATE INDEX auth_throttle_window ON auth_throttle (window_start);
