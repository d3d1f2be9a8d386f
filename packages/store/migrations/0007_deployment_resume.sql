-- When a halted deployment was last resumed: failures before it no longer
-- count against the error budget (they still count in the success rate).
ALTER TABLE deployment ADD COLUMN resumed_at timestamptz;
