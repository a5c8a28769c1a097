// What the recommendations API accepts; types derive from the schemas.
import { z } from "zod";

export const recommendationsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(50).default(12),
});
