-- A trigger token may serve many messages: replay protection is the inbox's (source, id), bound
-- to the token's principal. The ids of tokens used once are no longer kept.
DROP TABLE seen_token_ids;
