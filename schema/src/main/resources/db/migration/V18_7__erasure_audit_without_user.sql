-- Review of issue 20: the audit record of an erasure keeps no trace of the user. A SHA-256 of app and user id is
-- reversible by hashing guessed ids (user ids are short, often sequential), so it told anyone who could read the
-- table whether a given person had asked to be erased. The erasure_id returned to the requester is the receipt to
-- file with the data subject's request.
ALTER TABLE erasure_requests DROP COLUMN user_hash;
