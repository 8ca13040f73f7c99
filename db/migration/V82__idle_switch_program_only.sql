-- Review L15: a worker's idle-command switches keep the program's name only. Workers reported the whole command line,
-- whose arguments may hold the provider's mining pool account or password; what was stored so far is cut the same way.
UPDATE worker_switches SET command = regexp_replace(split_part(regexp_replace(btrim(command), '\s+', ' ', 'g'), ' ', 1), '^.*/', '');
