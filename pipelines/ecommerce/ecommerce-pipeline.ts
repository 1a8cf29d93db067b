/** The e-commerce lakehouse: products, orders and order_items into `ecommerce.*`. */
import { ecommerce } from '../../validation/contracts/ecommerce.js';
import type { PipelineDefinition } from '../runner/pipeline-definition.js';

/** The `ecommerce` pipeline. */
export const ecommercePipeline: PipelineDefinition = {
  name: 'ecommerce',
  database: 'ecommerce',
  datasets: ecommerce,
};
