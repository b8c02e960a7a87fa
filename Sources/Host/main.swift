print("proteus")
