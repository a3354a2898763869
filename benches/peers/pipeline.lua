-- wrk script for the pipelined scenario: every write carries DEPTH
-- requests (argument after `--`, default 16). wrk counts the requests in
-- the returned string and waits for that many responses before the next
-- write, so "requests" in its report are responses.
init = function(args)
  local depth = tonumber(args[1]) or 16
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format(nil, "/plaintext")
  end
  req = table.concat(r)
end

request = function()
  return req
end
