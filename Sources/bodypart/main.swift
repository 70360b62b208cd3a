print("bodypart")
