-- wrk script: requests the paths listed one per line in the file named by WRK_PATHS, each
-- connection starting at a different line and going round (run-benchmarks.sh exact).
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local i = 0
function init(args)
  i = math.random(#paths)
end
function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
